import {
  deploymentUrl,
  logLevelSetting,
  nodeEnvSetting,
  parseEnv,
  poolerSetting,
  primaryNameDistinct,
  primaryNameSetting,
  secretSetting,
  serversSetting,
  sessionIdleSetting,
  sessionLifetimeConsistent,
  sessionMaxAgeSetting,
  signInFailuresPerAccountSetting,
  signInFailuresPerAddressSetting,
  signInWindowSetting,
  trustProxySetting,
} from '@repo/env';
import { z } from 'zod';

// The one place this app reads its configuration from process.env: everything else imports `env` or calls
// `serverEnv()`, so a missing or bad variable fails at start-up with its name, not later as `undefined` deep
// inside a request.
//
// Two groups: `env` (always valid, also during `next build`) and `serverEnv()` (the database and the secrets).
// `next build` must work without a database or secrets, so the second group is validated when the server
// starts (instrumentation-node.ts, next.config.ts outside the build phase) and on first use, never at build.

const baseSchema = z.object({
  NODE_ENV: nodeEnvSetting,
  LOG_LEVEL: logLevelSetting,
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
    /** How DATABASE_URL reaches PostgreSQL: `direct`, or PgBouncer in `pgbouncer-session` / `pgbouncer-transaction` mode. */
    TENANCY_POOLER: poolerSetting,
    /** Connections this process opens to the deployment's database for tenant requests. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /**
     * The deployment's other PostgreSQL servers (the admin app's variable): this app reads each one's name, appUrl,
     * maxConnections and sharedTables (it serves the rls tenants of a shard there), and never its adminUrl. Unset, every tenant lives on the primary, named TENANCY_PRIMARY_NAME.
     */
    TENANCY_SERVERS: serversSetting,
    TENANCY_PRIMARY_NAME: primaryNameSetting,
    TENANCY_CONTEXT_SECRET: secretSetting('the HMAC key of the tenant context'),
    TENANCY_SECRETS_KEY: secretSetting("the key that decrypts database tenants' role passwords"),
    NEXTAUTH_SECRET: secretSetting('the key that signs session cookies'),
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
    /**
     * The JSON API's limit per API key (src/server/auth/api-keys.ts): this many requests in each window, counted in
     * PostgreSQL across processes; past it, 429 with Retry-After until the window ends.
     */
    API_RATE_LIMIT_REQUESTS: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1).max(1_000_000).default(120),
    API_RATE_LIMIT_WINDOW_SECONDS: z.coerce
      .number({ error: 'must be a whole number of seconds' })
      .int('must be a whole number of seconds')
      .min(1, 'must be at least 1 second')
      .max(86_400, 'must be at most 86400 seconds')
      .default(60),
    /** The SMTP server mail goes out through (`smtp://user:pass@host:587`, `smtps://...`); required in production. */
    SMTP_URL: z
      .url({ error: 'must be an smtp:// or smtps:// URL' })
      .refine((value) => /^smtps?:\/\//.test(value), 'must be an smtp:// or smtps:// URL')
      .optional(),
    /** The From header of every mail. */
    MAIL_FROM: z.string().trim().min(3).max(320).default('Tenancy Starter <no-reply@localhost>'),
    /** Development only: mail is written to this folder instead of sent, and shown at /dev/inbox (`npm run dev` sets it). */
    MAIL_INBOX_DIR: z.string().min(1).optional(),
    /** Whether this process also runs the job queue's worker (`on` by default; `off` where another process runs it). */
    JOBS_WORKER: z.enum(['on', 'off'], { error: 'must be on or off' }).default('on'),
    /** Sign-ups and password-reset requests allowed per email address, and per client address, per hour. */
    SIGN_UP_MAX_PER_EMAIL: z.coerce.number().int().min(1).max(1000).default(3),
    SIGN_UP_MAX_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(10),
  })
  .refine(primaryNameDistinct, {
    path: ['TENANCY_PRIMARY_NAME'],
    message: 'must not also be the name of one of TENANCY_SERVERS (the primary is the server of DATABASE_URL)',
  })
  .refine(sessionLifetimeConsistent, {
    path: ['SESSION_IDLE_SECONDS'],
    message: 'must not be longer than SESSION_MAX_AGE_SECONDS',
  })
  .refine((settings) => settings.SMTP_URL !== undefined || settings.MAIL_INBOX_DIR !== undefined, {
    path: ['SMTP_URL'],
    message: 'is required (or MAIL_INBOX_DIR in development): the app mails sign-up and password-reset links',
  })
  .refine((settings) => env.NODE_ENV !== 'production' || settings.MAIL_INBOX_DIR === undefined, {
    path: ['MAIL_INBOX_DIR'],
    message: 'is for development only: in production mail goes out through SMTP_URL',
  });

export type Env = z.infer<typeof baseSchema>;
export type ServerEnv = z.infer<typeof serverSchema>;

export const env: Env = parseEnv(baseSchema, process.env);

let server: ServerEnv | undefined;

/** The database and secrets; throws naming every missing or bad variable. Validated once, then cached. */
export function serverEnv(): ServerEnv {
  server ??= parseEnv(serverSchema, process.env);
  return server;
}
