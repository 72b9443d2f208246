import { expect, type APIRequestContext, type APIResponse } from '@playwright/test';
import { postSignIn } from '@repo/e2e/sign-in';
import fc from 'fast-check';
import pg from 'pg';

import { builtActions, postAction } from './built-app';

// What the property specs (properties-api.spec.ts, properties-actions.spec.ts) share: the inputs they generate (hostile
// text of every kind, and valid text that must come back byte for byte), an organisation of their own that no other
// spec touches, its rows as they are (a refused request must change none of them), and how to read a server action's
// answer.

// ---------------------------------------------------------------------------------------------------------------------
// Inputs

/** Text that has broken SQL, JSON, logs, slugs or comparisons somewhere: each must be stored as it is or refused. */
export const HOSTILE_WORDS = [
  "'",
  '"',
  ';',
  '`',
  '\\',
  "'; DROP TABLE projects; --",
  "' OR '1'='1",
  "Robert'); DELETE FROM tasks; --",
  '$1',
  '$$ $$',
  '%',
  '_',
  '%_%',
  'NULL',
  'null',
  'undefined',
  'true',
  '0',
  '-1',
  'NaN',
  'SELECT',
  'DEFAULT',
  'user',
  'current_user',
  'public',
  'tenancy',
  'pg_catalog',
  '__proto__',
  'constructor',
  'toString',
  '../..',
  '<script>alert(1)</script>',
  '${jndi:x}',
  '{{7*7}}',
  'а', // Cyrillic a
  'аdmin', // Cyrillic a, then Latin
  'ａｄｍｉｎ', // fullwidth
  'ß',
  'İ',
  'ﬁ',
  'e\u0301', // e and a combining acute
  '\u200b', // zero-width space
  '\u200d',
  '\u202e', // right-to-left override
  '\u2066',
  '\ufeff', // byte order mark
  'عربى',
  'עברית',
  '中文',
  '😀',
  '👩‍👩‍👧',
  '𝒳',
] as const;

/** Whether `text` is Unicode (no lone surrogate): only such text can travel in a URL or a form, as UTF-8. */
export const wellFormed = (text: string): boolean => !/[\ud800-\udfff]/.test(text.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''));

/** Characters PostgreSQL's text cannot hold, or that are not Unicode at all: such input must be refused, not stored changed. */
export const UNSTORABLE = ['\u0000', 'a\u0000b', '\ud800', 'x\udfffy'] as const;

const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_WORDS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.includes('\u0000')) },
  { weight: 1, arbitrary: fc.constantFrom(' ', '\t', '\n', '\r\n') },
);

/** Text without NUL or lone surrogates, any length from 0 to about 200 UTF-16 units. */
export const storableText = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));

/** Characters as the schemas (zod) and PostgreSQL's length() count them: code points, not UTF-16 units. */
export const chars = (text: string): number => [...text].length;

/** Text whose trimmed form is 1 to `max` characters long, storable. */
export function validText(max: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      storableText,
      fc.constantFrom(...HOSTILE_WORDS).filter((w) => w.trim() !== ''),
      storableText,
      fc.constantFrom(0, 0, 0, 64, 65, max - 2),
      fc.constantFrom('ｘ', '𝒳', 'x'),
    )
    .map(([a, word, b, pad, c]) => {
      const core = `${a}${word}${b}`.trim();
      return [...`${core}${c.repeat(Math.max(0, Math.min(pad, max - chars(core))))}`].slice(0, max).join('');
    })
    .filter((s) => chars(s.trim()) >= 1 && chars(s.trim()) <= max);
}

/**
 * Text over `max` characters once trimmed: one past the limit, 64+ byte identifiers, and (with `huge`) a megabyte.
 * A server action's form stays under Next.js's 1 MB body limit, which answers 500 itself (see the spec).
 */
export function tooLong(max: number, huge = true): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom('x', 'é', '𝒳', 'а', "'", ';', '👩‍👩‍👧'), fc.constantFrom(max + 1, max + 2, 2 * max, huge ? 1_000_000 : 100_000))
    .map(([c, n]) => c.repeat(Math.ceil(n / chars(c))));
}

/** Any text at all: hostile words, random code points, NUL, lone surrogates, long and huge. */
export const anyText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: storableText },
  { weight: 2, arbitrary: fc.constantFrom(...HOSTILE_WORDS) },
  { weight: 1, arbitrary: fc.constantFrom(...UNSTORABLE) },
  { weight: 1, arbitrary: fc.constantFrom(64, 65, 100, 101, 200, 201, 300, 301, 1000, 5001).map((n) => 'ａ'.repeat(n)) },
  { weight: 1, arbitrary: fc.constant('x'.repeat(1_000_000)) },
);

/** anyText for a form: no lone surrogates (UTF-8 cannot carry them) and under Next.js's 1 MB limit of an action's body. */
export const formText: fc.Arbitrary<string> = anyText.filter((s) => wellFormed(s) && s.length <= 200_000);

/** Ids that are not ids: broken UUIDs, SQL, 64+ bytes, look-alikes. */
export const notAnId: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    'null',
    'undefined',
    '00000000-0000-0000-0000-00000000000',
    '00000000-0000-0000-0000-0000000000000',
    '00000000-0000-4000-8000-00000000000g',
    '{00000000-0000-4000-8000-000000000000}',
    '00000000000040008000000000000000',
    '00000000-0000-4000-8000-000000000000 ',
    '０0000000-0000-4000-8000-000000000000',
    "00000000-0000-4000-8000-000000000000' OR '1'='1",
    '00000000-0000-4000-8000-000000000000;DROP TABLE projects',
    'x'.repeat(64),
    'x'.repeat(65),
    '../projects',
  ),
  fc.uuid().map((id) => id.replace(/-/g, '')),
  fc.uuid().map((id) => `${id}\u0000`),
  anyText,
);

/** Values of every JSON type but string (and objects that hide a string). */
export const notAString: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1e308, [], {}, ['x'], { value: 'x' }, [null]),
  fc.integer(),
  fc.double(),
  fc.array(fc.string(), { minLength: 1, maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { minKeys: 1, maxKeys: 3 }),
);

/** Names of fields no schema has, including prototype tricks. */
export const extraField = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'id', 'tenantId', 'tenant_id', 'createdBy', 'role', 'admin'),
  fc.string({ minLength: 1, maxLength: 10 }),
);

// ---------------------------------------------------------------------------------------------------------------------
// The database, as the superuser sees it

let pool: pg.Pool | undefined;

/** One connection for the whole spec (the snapshots run often). */
export async function superuser<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const url = process.env.E2E_ADMIN_DATABASE_URL;
  if (!url) throw new Error('E2E_ADMIN_DATABASE_URL is not set: run the suite with `npm run test:e2e`.');
  pool ??= new pg.Pool({ connectionString: url, max: 1 });
  return (await pool.query<R>(sql, params)).rows;
}

export async function closeSuperuser(): Promise<void> {
  await pool?.end();
  pool = undefined;
}

/**
 * Every row an organisation has, in its tables and in the control plane (memberships, invitations, API keys, its
 * members' accounts and tokens): two equal snapshots mean nothing changed. A key's last use is left out (every request
 * with it counts), and so are sessions and limits, which requests may touch without changing the organisation.
 */
export async function snapshot(tenantId: string): Promise<Record<string, unknown>> {
  const [row] = await superuser<Record<string, unknown>>(
    `SELECT
       (SELECT row_to_json(t) FROM tenancy.tenants t WHERE t.id = $1) AS tenant,
       (SELECT json_agg(p ORDER BY p.id) FROM public.projects p WHERE p.tenant_id = $1) AS projects,
       (SELECT json_agg(t ORDER BY t.id) FROM public.tasks t WHERE t.tenant_id = $1) AS tasks,
       (SELECT json_agg(c ORDER BY c.id) FROM public.comments c WHERE c.tenant_id = $1) AS comments,
       (SELECT json_agg(a ORDER BY a.id) FROM public.activity_log a WHERE a.tenant_id = $1) AS activity,
       (SELECT json_agg(s ORDER BY s.id) FROM public.support_access s WHERE s.tenant_id = $1) AS support,
       (SELECT json_agg(m ORDER BY m.user_id) FROM public.memberships m WHERE m.tenant_id = $1) AS memberships,
       (SELECT json_agg(i ORDER BY i.id) FROM public.invitations i WHERE i.tenant_id = $1) AS invitations,
       (SELECT json_agg(to_jsonb(k) - 'last_used_at' ORDER BY k.id) FROM public.api_keys k WHERE k.tenant_id = $1) AS api_keys,
       (SELECT json_agg(u ORDER BY u.id) FROM public.users u WHERE u.id IN (SELECT user_id FROM public.memberships WHERE tenant_id = $1)) AS users,
       (SELECT json_agg(x ORDER BY x.token_hash) FROM public.account_tokens x WHERE x.user_id IN (SELECT user_id FROM public.memberships WHERE tenant_id = $1)) AS tokens`,
    [tenantId],
  );
  return row!;
}

// ---------------------------------------------------------------------------------------------------------------------
// An organisation of the spec's own

export interface Organisation {
  slug: string;
  tenantId: string;
  userId: string;
  email: string;
  password: string;
  /** Signed in as its owner (the session cookie in its jar). */
  request: APIRequestContext;
}

const SIGN_UP = 'apps/web/src/app/sign-up/actions.ts#signUpAction';

export const uniqueLabel = (label: string) => `${label}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;

/**
 * Signs up through the app's own sign-up action (a new user, owner of a new organisation), confirms the address in the
 * database (the confirmation link has its own spec) and signs in through `request`.
 */
export async function ownOrganisation(request: APIRequestContext, baseURL: string, label: string): Promise<Organisation> {
  const action = builtActions().find((a) => a.name === SIGN_UP);
  if (!action) throw new Error(`${SIGN_UP} is not in the build`);
  const email = `${uniqueLabel(label)}@properties.test`;
  const password = `pw ${uniqueLabel(label)}`;
  const answer = await actionAnswer(
    await postAction(request, baseURL, action.page, action, [], { name: 'Property Owner', email, password, organisation: `Properties ${uniqueLabel(label)}` }),
  );
  expect(answer, `sign-up: ${briefly(answer)}`).toMatchObject({ status: 'ok' });
  const [row] = await superuser<{ user_id: string; tenant_id: string; slug: string }>(
    `UPDATE public.users u SET email_verified_at = now() FROM public.memberships m JOIN tenancy.tenants t ON t.id = m.tenant_id
      WHERE u.email = $1 AND m.user_id = u.id RETURNING u.id AS user_id, t.id AS tenant_id, t.slug`,
    [email],
  );
  if (!row) throw new Error(`sign-up made no organisation for ${email}`);
  const signedIn = await postSignIn(request, { email, password });
  expect(signedIn.error, 'sign-in').toBeNull();
  return { slug: row.slug, tenantId: row.tenant_id, userId: row.user_id, email, password, request };
}

// ---------------------------------------------------------------------------------------------------------------------
// Answers

export type ActionAnswer =
  | { status: 'ok'; message?: string; result?: unknown }
  | { status: 'error'; kind: string; message: string; fieldErrors?: Record<string, string[]> }
  | { status: 'redirect'; location: string }
  /** Next.js refused the body before the action ran (over serverActions.bodySizeLimit, 1 MB): 413. */
  | { status: 'too-large' };

/** The rows of an RSC payload: `<hex id>:<JSON>\n`, or `<hex id>:T<hex byte length>,<text>` (no newline after). */
function rscRows(payload: Buffer): Map<string, string> {
  const rows = new Map<string, string>();
  let at = 0;
  while (at < payload.length) {
    const colon = payload.indexOf(':', at);
    if (colon < 0) break;
    const id = payload.subarray(at, colon).toString();
    if (payload[colon + 1] === 0x54 /* T */) {
      const comma = payload.indexOf(',', colon);
      const length = parseInt(payload.subarray(colon + 2, comma).toString(), 16);
      rows.set(id, payload.subarray(comma + 1, comma + 1 + length).toString());
      at = comma + 1 + length;
    } else {
      const end = payload.indexOf('\n', colon);
      rows.set(id, payload.subarray(colon + 1, end < 0 ? payload.length : end).toString());
      at = end < 0 ? payload.length : end + 1;
    }
  }
  return rows;
}

/**
 * A server action's answer: its state (the RSC payload's row that is an ActionState, with its outlined strings read
 * back), or where it redirected. Anything else, a 5xx above all, fails here with what the server sent.
 */
export async function actionAnswer(response: APIResponse): Promise<ActionAnswer> {
  const payload = await response.body();
  const text = payload.toString();
  const redirect = response.headers()['x-action-redirect'];
  if (redirect) return { status: 'redirect', location: redirect.split(';')[0]! };
  if (response.status() === 413) return { status: 'too-large' };
  expect(response.status(), `the action answered ${response.status()}: ${text.slice(0, 500)}`).toBe(200);
  const rows = rscRows(payload);
  const outlined = (value: unknown) => (typeof value === 'string' && /^\$[0-9a-f]+$/.test(value) ? (rows.get(value.slice(1)) ?? value) : value);
  for (const row of rows.values()) {
    if (!row.startsWith('{')) continue;
    const value = JSON.parse(row) as Record<string, unknown>;
    if ((value.status === 'ok' || value.status === 'error') && typeof value.at === 'number') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, outlined(v)])) as ActionAnswer;
    }
  }
  throw new Error(`no action state in the answer: ${text.slice(0, 500)}`);
}

/** A refused route handler request: 4xx with JSON that says why. */
export async function expectClearRefusal(response: APIResponse, label: string): Promise<string> {
  const text = await response.text();
  expect(response.status(), `${label}: ${text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status(), `${label}: ${text.slice(0, 300)}`).toBeLessThan(500);
  expect(response.headers()['content-type'], label).toContain('application/json');
  const body = JSON.parse(text) as { error?: string | { message?: string } };
  const message = typeof body.error === 'string' ? body.error : body.error?.message;
  expect(typeof message === 'string' && message.length > 0, `${label}: no message in ${text.slice(0, 300)}`).toBe(true);
  return message!;
}

/** fast-check's report of a failure: the counterexample and the seed to replay (PROPERTY_SEED). */
export function briefly(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 60)}…(${v.length} chars)` : v));
  return text ?? String(value);
}
