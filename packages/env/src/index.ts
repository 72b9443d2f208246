import { productionPasswordProblem, productionSecretProblem } from '@repo/db/published-secrets';
import { POOLER_SETTINGS } from '@repo/tenancy/pgbouncer';
import { z } from 'zod';

// How both apps read their environment, and the rules of the settings they read under the same names. Each app's
// src/env.ts lists the keys itself, so a reader and the infra parity tests see every variable there. One file, no
// relative imports: next.config.ts loads the apps' env.ts, and this file with it, through Node's require hook.

/**
 * Validates `source` (process.env) against an app's schema, or throws naming every missing or bad variable, never
 * echoing a value: most of them are secrets.
 */
export function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.infer<S> {
  // `LOG_LEVEL=` in a .env file means "not set", not "set to an invalid empty value".
  const input = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // One problem per variable: a short secret is also refused in production, for the same reason.
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = issue.path.join('.');
    if (problems.has(name)) continue;
    if (issue.code === 'custom') problems.set(name, `${name} ${issue.message}`);
    else problems.set(name, input[name] === undefined ? `${name} is missing` : `${name} is invalid: ${issue.message}`);
  }
  throw new Error(`Invalid environment: ${[...problems.values()].join('; ')}`);
}

/** NODE_ENV and LOG_LEVEL, which every app reads, also during `next build`. */
export const nodeEnvSetting = z.enum(['development', 'test', 'production']).default('development');
export const logLevelSetting = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional();

// In production (`next start`, the standalone server, the images) a secret must not be one of the values published in
// this repository (init.sql, the dev runner, infra/docker/.env.example) nor shorter than 32 characters, and neither
// may a connection URL's password: anyone can read those.
const inProduction = () => process.env.NODE_ENV === 'production';
const refuseInProduction = (problem: (value: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const found = inProduction() ? problem(value) : undefined;
  if (found !== undefined) ctx.addIssue({ code: 'custom', message: found });
};

/** A connection URL to the deployment's PostgreSQL (or its PgBouncer); in production its password is not a published one. */
export const deploymentUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection URL')
  .superRefine(refuseInProduction(productionPasswordProblem));

/** A key of at least 32 characters; in production not one published in this repository. `what` says what it is for. */
export const secretSetting = (what: string) =>
  z
    .string()
    .min(32, `must be at least 32 characters (${what}; generate one with \`openssl rand -hex 32\`)`)
    .superRefine(refuseInProduction(productionSecretProblem));

/** A password of at least 8 characters (PgBouncer's auth_query role); in production not one published here. */
export const passwordSetting = z.string().min(8, 'must be at least 8 characters').superRefine(refuseInProduction(productionSecretProblem));

/** TENANCY_POOLER: how the app's connection reaches PostgreSQL (@repo/tenancy/pgbouncer's poolerFromSetting reads it). */
export const poolerSetting = z.enum(POOLER_SETTINGS).default('direct');

/** TRUST_PROXY: how many reverse proxies in front of the app append to X-Forwarded-For and set X-Forwarded-Proto. */
export const trustProxySetting = z.coerce
  .number({ error: 'must be a whole number of proxies (0: none, read the socket)' })
  .int('must be a whole number of proxies (0: none, read the socket)')
  .min(0)
  .max(10)
  .default(0);

const seconds = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(max, `must be at most ${max} seconds`)
    .default(fallback);

const count = (fallback: number) => z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1).max(100_000).default(fallback);

/** Sign-in limits: failed attempts counted per account and per client address, in a window that starts at the first. */
export const signInWindowSetting = seconds(15 * 60, 24 * 60 * 60);
export const signInFailuresPerAccountSetting = count(5);
export const signInFailuresPerAddressSetting = count(20);

/** Sessions: ended after this long without a request (idle), and this long after sign-in whatever happens (absolute). */
export const sessionIdleSetting = seconds(30 * 60, 7 * 24 * 60 * 60);
export const sessionMaxAgeSetting = seconds(12 * 60 * 60, 30 * 24 * 60 * 60);

/** For a `.refine` on the app's schema: an idle timeout longer than the absolute lifetime would never apply. */
export const sessionLifetimeConsistent = (value: { SESSION_IDLE_SECONDS: number; SESSION_MAX_AGE_SECONDS: number }): boolean =>
  value.SESSION_IDLE_SECONDS <= value.SESSION_MAX_AGE_SECONDS;

// Servers (TENANCY_SERVERS, TENANCY_PRIMARY_NAME, TENANCY_PLACEMENT): the deployment's PostgreSQL servers besides the
// primary (the server of ADMIN_DATABASE_URL / DATABASE_URL), as createTenancy's `servers`, `primaryName`, `placement`.
// The library checks them again; here a bad value fails at start-up naming the entry and the field, never a URL.

/** The name the catalog records for a server (the library's SERVER_NAME). */
const SERVER_NAME = /^[a-z][a-z0-9_]{0,30}$/;
const serverName = z.string().regex(SERVER_NAME, 'must be a lowercase name of at most 31 characters (letters, digits, _; a letter first)');

/** TENANCY_PRIMARY_NAME: the name of the server of ADMIN_DATABASE_URL / DATABASE_URL, which holds the catalog. */
export const primaryNameSetting = serverName.default('primary');

/** TENANCY_PLACEMENT: where a new tenant that names no server goes, among the open servers that can hold it. */
export const PLACEMENTS = ['fewest-tenants', 'least-bytes'] as const;
export const placementSetting = z.enum(PLACEMENTS).default('fewest-tenants');

const serverEntry = z.strictObject({
  name: serverName,
  /** Owner connection to the deployment's database on that server (direct). Only the admin app and the CLI use it. */
  adminUrl: deploymentUrl.optional(),
  /** app_user connection to the same database; may point at that server's PgBouncer (of TENANCY_POOLER's mode). */
  appUrl: deploymentUrl,
  maxConnections: z.number().int().min(1).max(10_000).optional(),
  /** The server holds a shard of the shared tables: rls tenants can be placed there. Every process must say the same. */
  sharedTables: z.boolean().optional(),
});

export type ServerSetting = z.infer<typeof serverEntry>;

/**
 * TENANCY_SERVERS: a JSON array of `{ name, adminUrl?, appUrl, maxConnections?, sharedTables? }`. Unset, every tenant lives on the
 * primary. A problem is reported as one message naming the entry and the field; the text of the value never appears
 * (JSON.parse's own message quotes the input, and the URLs hold passwords).
 */
export const serversSetting = z
  .string()
  .transform((text, ctx): ServerSetting[] => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'is not valid JSON: it must be a JSON array such as [{"name":"b","adminUrl":"postgres://…","appUrl":"postgres://…"}]',
      });
      return z.NEVER;
    }
    if (!Array.isArray(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON array of servers ({ name, adminUrl?, appUrl, maxConnections?, sharedTables? })' });
      return z.NEVER;
    }
    const problems: string[] = [];
    const servers: ServerSetting[] = [];
    value.forEach((entry, i) => {
      const parsed = serverEntry.safeParse(entry);
      if (parsed.success) servers.push(parsed.data);
      else problems.push(...parsed.error.issues.map((issue) => `entry ${i + 1}: ${issue.path.length ? `${issue.path.join('.')} ` : ''}${serverIssue(issue)}`));
    });
    const seen = new Set<string>();
    for (const server of servers) {
      if (seen.has(server.name)) problems.push(`names server "${server.name}" twice`);
      seen.add(server.name);
    }
    if (problems.length === 0) return servers;
    ctx.addIssue({ code: 'custom', message: `is invalid: ${problems.join('; ')}` });
    return z.NEVER;
  })
  .optional();

/** A zod issue inside an entry, in words; an unknown key is named (a typo such as "appURL"), a value never is. */
function serverIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `has unknown keys ${issue.keys.map((key) => JSON.stringify(key.slice(0, 40))).join(', ')} (allowed: name, adminUrl, appUrl, maxConnections, sharedTables)`;
  if (issue.code === 'invalid_type' && issue.path.length === 0) return 'must be an object { name, adminUrl?, appUrl, maxConnections?, sharedTables? }';
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is missing';
  return issue.message;
}

/** For a `.refine` on the app's schema: the primary's name is not also one of TENANCY_SERVERS. */
export const primaryNameDistinct = (value: { TENANCY_SERVERS?: readonly ServerSetting[]; TENANCY_PRIMARY_NAME: string }): boolean =>
  !(value.TENANCY_SERVERS ?? []).some((server) => server.name === value.TENANCY_PRIMARY_NAME);

/**
 * createTenancy's `primaryName`, `servers` and `placement` from the settings. `withAdmin: false` (a process that only
 * serves tenants, the web app, which creates none and reads no TENANCY_PLACEMENT) leaves every owner connection out,
 * so that process never holds one.
 */
export function serversConfig(
  value: { TENANCY_SERVERS?: readonly ServerSetting[]; TENANCY_PRIMARY_NAME: string; TENANCY_PLACEMENT?: (typeof PLACEMENTS)[number] },
  { withAdmin }: { withAdmin: boolean },
) {
  return {
    primaryName: value.TENANCY_PRIMARY_NAME,
    ...(value.TENANCY_PLACEMENT === undefined ? {} : { placement: value.TENANCY_PLACEMENT }),
    servers: (value.TENANCY_SERVERS ?? []).map(({ adminUrl, ...server }) => (withAdmin && adminUrl !== undefined ? { ...server, adminUrl } : server)),
  };
}
