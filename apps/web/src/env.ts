import {
  sessionIdleSetting,
  sessionLifetimeConsistent,
  sessionMaxAgeSetting,
  signInFailuresPerAccountSetting,
  signInFailuresPerAddressSetting,
  signInWindowSetting,
  trustProxySetting,
} from '@repo/auth/env';
import { productionPasswordProblem, productionSecretProblem } from '@repo/db/published-secrets';
import { z } from 'zod';

// The one place this app reads its configuration from process.env: everything else imports `env` or calls
// `serverEnv()`, so a missing or bad variable fails at start-up with its name, not later as `undefined` deep
// inside a request.
//
// Two groups: `env` (always valid, also during `next build`) and `serverEnv()` (the database and the secrets).
// `next build` must work without a database or secrets, so the second group is validated when the server
// starts (instrumentation-node.ts, next.config.ts outside the build phase) and on first use, never at build.

// In production (`next start`, the standalone server, the images) a secret must not be one of the values published in
// this repository (init.sql, the dev runner, infra/docker/.env.example) nor shorter than 32 characters, and neither
// may a connection URL's password: anyone can read those.
const inProduction = () => env.NODE_ENV === 'production';
const refuseInProduction = (problem: (value: string) => string | undefined) => (value: string, ctx: z.RefinementCtx) => {
  const found = inProduction() ? problem(value) : undefined;
  if (found !== undefined) ctx.addIssue({ code: 'custom', message: found });
};

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/\S+$/, 'must be a postgres:// or postgresql:// connection URL');
const deploymentUrl = postgresUrl.superRefine(refuseInProduction(productionPasswordProblem));
const secret = (what: string) =>
  z
    .string()
    .min(32, `must be at least 32 characters (${what}; generate one with \`openssl rand -hex 32\`)`)
    .superRefine(refuseInProduction(productionSecretProblem));

const baseSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

const serverSchema = z
  .object({
    /** app_user's connection (not a superuser, not BYPASSRLS); may point at PgBouncer. */
    DATABASE_URL: deploymentUrl,
    /**
     * app_auth's connection: sign-in (public.auth_user) and membership lookups (public.user_memberships) only, a
     * role tenant requests never use. May point at PgBouncer (its auth_query finds any non-superuser login role).
     */
    AUTH_DATABASE_URL: deploymentUrl,
    /**
     * How DATABASE_URL reaches PostgreSQL: `direct`, or PgBouncer in `pgbouncer-session` / `pgbouncer-transaction` mode.
     * The values of @repo/tenancy/pgbouncer's POOLER_SETTINGS, spelled out: next.config loads this file with Node,
     * which cannot follow that package's `./x.js` imports of `.ts` files.
     */
    TENANCY_POOLER: z.enum(['direct', 'pgbouncer-session', 'pgbouncer-transaction']).default('direct'),
    /** Connections this process opens to the deployment's database for tenant requests. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    TENANCY_CONTEXT_SECRET: secret('the HMAC key of the tenant context'),
    TENANCY_SECRETS_KEY: secret("the key that decrypts database tenants' role passwords"),
    NEXTAUTH_SECRET: secret('the key that signs session cookies'),
    /** Public URL of this app (next-auth builds its redirects from it); http://localhost:3000 when unset. */
    NEXTAUTH_URL: z.url({ error: 'must be an absolute URL such as https://app.example.com' }).optional(),
    /**
     * How many reverse proxies in front of this app append to X-Forwarded-For and set X-Forwarded-Proto (0, the default:
     * none; the client's address is the socket's and those headers are ignored). Read for the sign-in limits' address and
     * for HSTS. Set it only when every request comes through those proxies: a client reaching the app directly could
     * otherwise claim any address.
     */
    TRUST_PROXY: trustProxySetting,
    /**
     * Sign-in limits (src/server/auth/sign-in-limits.ts): failed attempts counted per account and per client address in
     * PostgreSQL; over either limit, sign-in answers 429 until the window (from the first counted failure) has passed.
     */
    SIGN_IN_WINDOW_SECONDS: signInWindowSetting,
    SIGN_IN_MAX_FAILURES_PER_ACCOUNT: signInFailuresPerAccountSetting,
    SIGN_IN_MAX_FAILURES_PER_ADDRESS: signInFailuresPerAddressSetting,
    /**
     * Sessions (src/server/auth/sessions.ts): checked in the database on every request, ended after this long without a
     * request, and this long after sign-in whatever happens.
     */
    SESSION_IDLE_SECONDS: sessionIdleSetting,
    SESSION_MAX_AGE_SECONDS: sessionMaxAgeSetting,
  })
  .refine(sessionLifetimeConsistent, {
    path: ['SESSION_IDLE_SECONDS'],
    message: 'must not be longer than SESSION_MAX_AGE_SECONDS',
  });

export type Env = z.infer<typeof baseSchema>;
export type ServerEnv = z.infer<typeof serverSchema>;

function parseEnv<S extends z.ZodType>(schema: S, source: NodeJS.ProcessEnv): z.infer<S> {
  // `LOG_LEVEL=` in a .env file means "not set", not "set to an invalid empty value".
  const input = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // Name the variable but never echo its value: most of them are secrets. One problem per variable: a short secret
  // is also refused in production, for the same reason.
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const name = issue.path.join('.');
    if (problems.has(name)) continue;
    if (issue.code === 'custom') problems.set(name, `${name} ${issue.message}`);
    else problems.set(name, input[name] === undefined ? `${name} is missing` : `${name} is invalid: ${issue.message}`);
  }
  throw new Error(`Invalid environment: ${[...problems.values()].join('; ')}`);
}

export const env: Env = parseEnv(baseSchema, process.env);

let server: ServerEnv | undefined;

/** The database and secrets; throws naming every missing or bad variable. Validated once, then cached. */
export function serverEnv(): ServerEnv {
  server ??= parseEnv(serverSchema, process.env);
  return server;
}
