import fc from 'fast-check';
import { SLUG_PATTERN } from '@repo/tenancy/slug';

// The inputs the properties send: hostile text (quotes, semicolons, NUL bytes, look-alikes, identifiers past
// PostgreSQL's 63 bytes, reserved words, huge strings) and values of the wrong type, for every field of the console.

/** Pieces of hostile text, mixed into every generated string. */
export const HOSTILE_PIECES = [
  "'",
  '"',
  ';',
  '\\',
  '--',
  '/*',
  '$1',
  '%',
  '_',
  '\0',
  ' ',
  '\t',
  '\n',
  "'; DROP TABLE tenancy.tenants; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '../',
  '..\\',
  // Look-alikes: Cyrillic a and e, dotless i, Turkish capital I with dot, fullwidth letters, a combining accent.
  'а',
  'е',
  'ı',
  'İ',
  'ａｃｍｅ',
  'e\u0301',
  '\u200b',
  '\u202e',
  '\ufeff',
  '😀',
  '👩‍👩‍👧',
  'ß',
];

/** Words PostgreSQL or the cluster treat specially: each is a valid slug, so a tenant may be called that. */
export const RESERVED_WORDS = ['public', 'select', 'pg_catalog', 'tenancy', 'postgres', 'template1', 'information_schema', 'user', 'all', 'table', 'pg_toast'];

/** A string of hostile pieces and arbitrary text. */
export const hostileText = (maxPieces = 6) =>
  fc
    .array(fc.oneof(fc.constantFrom(...HOSTILE_PIECES), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: maxPieces })
    .map((parts) => parts.join(''));

/** Huge text: past every limit the console states (200, 500, 1024 characters), up to a few hundred kB. */
export const hugeText = fc
  .tuple(fc.constantFrom(...HOSTILE_PIECES, 'a', 'é', '😀'), fc.integer({ min: 1025, max: 100_000 }))
  .map(([piece, length]) => piece.repeat(Math.ceil(length / piece.length)));

/** Values of another type than the string a form field holds. */
export const wrongType = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant([]),
  fc.array(fc.string(), { minLength: 1, maxLength: 2 }),
  fc.constant({}),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2 }),
);

const slugChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_');
const slugFirst = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz');

/** A valid slug: reserved words, the longest allowed (48 characters: its role and database names near 63 bytes), others. */
export const validSlug = fc.oneof(
  fc.constantFrom(...RESERVED_WORDS),
  fc.tuple(slugFirst, fc.array(slugChar, { minLength: 47, maxLength: 47 })).map(([first, rest]) => first + rest.join('')),
  fc.tuple(slugFirst, fc.array(slugChar, { minLength: 1, maxLength: 20 })).map(([first, rest]) => first + rest.join('')),
);

/** A string that is not a slug, trimmed or not (some forms trim, some do not). */
export const invalidSlug = fc
  .oneof(
    // A slug with a hostile piece put in somewhere.
    fc.tuple(validSlug, fc.constantFrom(...HOSTILE_PIECES), fc.nat()).map(([slug, piece, at]) => {
      const i = at % (slug.length + 1);
      return slug.slice(0, i) + piece + slug.slice(i);
    }),
    // Too long: 49 up to a few hundred characters (64+ bytes).
    fc.tuple(slugFirst, fc.array(slugChar, { minLength: 48, maxLength: 300 })).map(([first, rest]) => first + rest.join('')),
    // Too short, a wrong first character, upper case, look-alikes of a seeded slug.
    fc.constantFrom(
      '',
      'a',
      '1acme',
      '_acme',
      'Acme',
      'ACME',
      'аcme',
      'acmе',
      'ａｃｍｅ',
      'acme\0',
      'ac me',
      'acme;',
      "acme'",
      'acme--',
      '../acme',
      'acme/..',
      'ac\u200bme',
    ),
    hostileText(),
    hugeText,
  )
  .filter((s) => !SLUG_PATTERN.test(s) && !SLUG_PATTERN.test(s.trim()));

/** Text for a name: hostile pieces and unicode, trimmed, 1 to `max` UTF-16 units, no NUL or other C0 control. */
export const validName = (max: number) =>
  hostileText(10)
    .map((s) =>
      [...s]
        .filter((c) => c.charCodeAt(0) > 0x1f && c !== '\u007f')
        .join('')
        .trim(),
    )
    .filter((s) => s.length >= 1 && s.length <= max);

/** Text that is not a name of at most `max` characters: empty, blank, too long, a NUL byte in it. */
export const invalidName = (max: number) =>
  fc.oneof(
    fc.constantFrom('', ' ', '\t\n ', '\u00a0'.trim()),
    fc.integer({ min: max + 1, max: max * 20 }).map((n) => 'x'.repeat(n)),
    hugeText,
    validName(max).map((s) => `${s}\0`),
    validName(max).chain((s) => fc.nat(s.length).map((at) => `${s.slice(0, at)}\0${s.slice(at)}`)),
  );

/** Anything but one of `allowed`. */
export const notOneOf = (allowed: readonly string[]) =>
  fc
    .oneof(hostileText(), fc.constantFrom(...allowed.map((a) => a.toUpperCase()), ...allowed.map((a) => ` ${a}`), ...allowed.map((a) => `${a}\0`)), hugeText)
    .filter((s) => !allowed.includes(s));

/** A valid slug of no tenant: no other property makes one with this prefix. */
export const absentSlug = fc.array(slugChar, { minLength: 1, maxLength: 30 }).map((rest) => `absent_${rest.join('')}`);
