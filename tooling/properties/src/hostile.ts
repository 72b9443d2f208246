import fc from 'fast-check';

/**
 * Inputs that break careless code: every property test of bad input draws from these, so each public argument meets
 * quotes, semicolons, NUL bytes, look-alike letters, identifiers past PostgreSQL's 63 bytes, reserved words, huge and
 * empty strings.
 */

/** Letters that look like ASCII ones and are not: Cyrillic, fullwidth, Greek, dotless i, ligatures. */
export const LOOKALIKES = ['а', 'е', 'о', 'р', 'с', 'х', 'ѕ', 'і', 'ａ', 'ｓ', 'Ａ', 'ο', 'ı', 'ﬁ', 'ℓ', '１'] as const;
/** Characters a reader cannot see: zero-width space and joiners, RTL/LTR marks and overrides, BOM, soft hyphen. */
export const INVISIBLES = ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u202e', '\u2066', '\ufeff', '\u00ad'] as const;
/** Words SQL, PostgreSQL or this project give a meaning. */
export const RESERVED = [
  'select',
  'user',
  'public',
  'pg_catalog',
  'pg_temp',
  'pg_toast',
  'tenancy',
  'information_schema',
  'current_user',
  'null',
  'all',
  'table',
] as const;
/** Pieces of SQL and shell an injection is made of. */
export const INJECTIONS = [
  "'",
  '"',
  ';',
  "'; drop table tenancy.tenants; --",
  '" or "1"="1',
  '$$',
  '$1',
  '\\',
  '--',
  '/*',
  '*/',
  '`',
  '$(id)',
  '../',
  '%',
  '_',
] as const;
/** Control characters, the NUL byte first. */
export const CONTROLS = ['\u0000', '\u0001', '\u0007', '\b', '\t', '\n', '\r', '\u001b', '\u007f'] as const;

/** One megabyte: a size no form field or identifier is meant to take. */
export const HUGE = 1024 * 1024;

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...LOOKALIKES, ...INVISIBLES, ...RESERVED, ...INJECTIONS, ...CONTROLS) },
  { weight: 3, arbitrary: fc.string({ maxLength: 6, unit: 'grapheme-ascii' }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 4, unit: 'binary' }) },
  { weight: 1, arbitrary: fc.constantFrom('🙂', 'é', 'e\u0301', 'ß', 'İ', '中文', '\ud83d') },
);

/** Short strings built from the pieces above: most are not a valid anything, a few are by chance. */
export const hostileText = (): fc.Arbitrary<string> => fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));

/** Empty, blank and whitespace-only strings, Unicode spaces included. */
export const blankText = (): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000'), { maxLength: 5 }).map((s) => s.join(''));

/** A string of `length` characters (1 MB by default) repeating something hostile, computed lazily per run. */
export const hugeText = (length = HUGE): fc.Arbitrary<string> =>
  fc.constantFrom('a', "';", '\u0000', 'а', 'x_').map((unit) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

/** A lowercase identifier-like string longer than PostgreSQL's 63-byte limit (64 to 200 characters). */
export const longIdentifier = (): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom('a', 'tenant', 'x'), fc.stringMatching(/^[a-z0-9_]{64,200}$/)).map(([head, tail]) => head + tail);

/** A valid tenant slug (^[a-z][a-z0-9_]{1,47}$). */
export const validSlug = (): fc.Arbitrary<string> => fc.stringMatching(/^[a-z][a-z0-9_]{1,47}$/);

/** Valid slugs that mean something elsewhere (select, user, public, pg_catalog, tenancy...), and 48-character ones. */
export const edgySlug = (): fc.Arbitrary<string> =>
  fc.oneof(fc.constantFrom(...RESERVED.filter((word) => /^[a-z][a-z0-9_]{1,47}$/.test(word))), fc.stringMatching(/^[a-z][a-z0-9_]{47}$/), validSlug());

/**
 * A valid slug made invalid in one of the ways that matter: a look-alike or invisible letter, an uppercase letter, a
 * quote or semicolon, a NUL, a leading digit or underscore, too short, too long (49 to 200 characters), or padded.
 */
export const nearSlug = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .tuple(validSlug(), fc.constantFrom(...LOOKALIKES, ...INVISIBLES, ...INJECTIONS, ...CONTROLS, 'A', '-', '.', ' ', 'é'), fc.nat())
      .map(([slug, bad, at]) => {
        const i = at % (slug.length + 1);
        return slug.slice(0, i) + bad + slug.slice(i);
      }),
    validSlug().map((slug) => `1${slug}`),
    validSlug().map((slug) => `_${slug}`),
    validSlug()
      .map((slug) => slug.toUpperCase())
      .filter((s) => /[A-Z]/.test(s)),
    validSlug().map((slug) => ` ${slug}`),
    validSlug().map((slug) => `${slug}\n`),
    fc.stringMatching(/^[a-z]$/),
    fc.stringMatching(/^[a-z][a-z0-9_]{48,199}$/),
  );

/** Anything a caller might pass as a slug that is not one: near misses, hostile text, blanks, huge strings, reserved words with a twist. */
export const invalidSlug = (): fc.Arbitrary<string> =>
  fc
    .oneof(
      { weight: 4, arbitrary: nearSlug() },
      { weight: 2, arbitrary: hostileText() },
      { weight: 1, arbitrary: blankText() },
      { weight: 1, arbitrary: longIdentifier() },
      { weight: 1, arbitrary: fc.constantFrom(...RESERVED).map((word) => `${word};`) },
      { weight: 1, arbitrary: hugeText() },
    )
    .filter((s) => !/^[a-z][a-z0-9_]{1,47}$/.test(s));

/** Values of the wrong type, for JavaScript callers that the types do not stop. */
export const wrongType = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.constantFrom(undefined, null, true, 0, -1, Number.NaN, [], {}, ['a'], () => 'a'),
    fc.integer(),
    fc.object({ maxDepth: 1 }),
  );
