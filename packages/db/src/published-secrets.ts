// Every secret whose value is written down in this repository: init.sql's role passwords and context key, the dev
// runner's defaults, and infra/docker/.env.example. They are fine on a laptop and worthless anywhere else (anyone can
// read them), so a production process refuses to start with any of them (the apps' src/env.ts).
//
// No imports: next.config.ts loads the apps' env.ts, and with it this file, through Node's require hook, which cannot
// follow this package's `./x.js` imports of `.ts` files.

/** Dev-only passwords and key baked into init.sql; `npm run dev` and the Docker setup re-key with their own. */
export const INIT_SQL_DEFAULTS = {
  appPassword: 'app_user_dev',
  operatorPassword: 'app_operator_dev',
  authPassword: 'app_auth_dev',
  contextSecret: 'dev-only-context-secret-change-me-0123456789',
} as const;

/** What `npm run dev` gives the apps when the variables are not set (tooling/dev). */
export const DEV_RUNNER_DEFAULTS = {
  NEXTAUTH_SECRET: 'dev-only-nextauth-secret-change-me-0123456789',
  TENANCY_SECRETS_KEY: 'dev-only-secrets-key-change-me-0123456789abcd',
  TENANCY_CONTEXT_SECRET: INIT_SQL_DEFAULTS.contextSecret,
  PGBOUNCER_AUTH_PASSWORD: 'pgbouncer_auth_dev',
} as const;

/**
 * The secrets of infra/docker/.env.example, as written there (infra/tests fails when the two differ).
 * The embedded cluster's default superuser password (`postgres`) is refused by its length.
 */
export const DOCKER_EXAMPLE_SECRETS = {
  POSTGRES_PASSWORD: 'change-me-postgres-0123456789abcdef',
  APP_USER_PASSWORD: 'change-me-app-user-0123456789abcdef',
  APP_OPERATOR_PASSWORD: 'change-me-app-operator-0123456789abcd',
  APP_AUTH_PASSWORD: 'change-me-app-auth-0123456789abcdef01',
  PGBOUNCER_AUTH_PASSWORD: 'change-me-pgbouncer-auth-0123456789abc',
  TENANCY_CONTEXT_SECRET: 'change-me-context-secret-0123456789abcdef',
  TENANCY_SECRETS_KEY: 'change-me-secrets-key-0123456789abcdef0123',
  NEXTAUTH_SECRET: 'change-me-nextauth-secret-0123456789abcdef',
} as const;

export const PUBLISHED_SECRETS: ReadonlySet<string> = new Set<string>([
  ...Object.values(INIT_SQL_DEFAULTS),
  ...Object.values(DEV_RUNNER_DEFAULTS),
  ...Object.values(DOCKER_EXAMPLE_SECRETS),
]);

/** Edited copies of the published values ("change-me-...-2") are just as guessable. */
const PUBLISHED_PATTERNS = [/change-me/i, /^dev-only-/i];

export const MIN_SECRET_LENGTH = 32;
export const GENERATE_SECRET = 'generate one with `openssl rand -hex 32`';

/** Why `value` must not be a production secret, or undefined when it may. */
export function productionSecretProblem(value: string): string | undefined {
  if (PUBLISHED_SECRETS.has(value) || PUBLISHED_PATTERNS.some((pattern) => pattern.test(value))) {
    return `is a development or example value published in this repository: ${GENERATE_SECRET}`;
  }
  if (value.length < MIN_SECRET_LENGTH) return `is shorter than ${MIN_SECRET_LENGTH} characters: ${GENERATE_SECRET}`;
  return undefined;
}

/** The same for the password inside a connection URL (the role's password must then be changed to match). */
export function productionPasswordProblem(connectionUrl: string): string | undefined {
  let password: string;
  try {
    password = decodeURIComponent(new URL(connectionUrl).password);
  } catch {
    return undefined; // the URL's own validation reports a malformed URL
  }
  if (password === '') return `has no password: ${GENERATE_SECRET} and give it to the role`;
  const problem = productionSecretProblem(password);
  return problem === undefined ? undefined : `has a password that ${problem} and give it to the role`;
}
