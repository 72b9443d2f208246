import { DEV_RUNNER_DEFAULTS, DOCKER_EXAMPLE_SECRETS, INIT_SQL_DEFAULTS } from '@repo/db/published-secrets';
import { describe, expect, test } from 'vitest';
import { checkWithAppSchema } from '../src/app-env';
import { environmentOf, readEnvExample, resolveCompose } from '../src/compose';
import { finalStage, parseDockerfile, resolveStage } from '../src/dockerfile';
import { generatedEnvFile, isPublishedSecret } from '../src/generated-env';
import { APPS, dockerfileOf, ENV_EXAMPLE, type AppName } from '../src/paths';
import { DOCKER_COMPOSE, requireTools } from '../src/requirements';

// A production process (the images set NODE_ENV=production) must refuse every secret published in this repository:
// .env.example's, init.sql's and the dev runner's, and anything shorter than 32 characters, naming the variable and
// saying how to make a real one. Each case is the app's own src/env.ts in a process with exactly the container's
// environment (the image's ENV, then compose's), which exits non-zero when refused.

const GENERATE = 'openssl rand -hex 32';

test('the published list holds exactly the secrets of infra/docker/.env.example', () => {
  const { active } = readEnvExample();
  const secrets = Object.fromEntries([...active].filter(([name, value]) => isPublishedSecret(name, value)));
  expect(secrets).toEqual(DOCKER_EXAMPLE_SECRETS);
});

const imageEnv = (app: AppName) => resolveStage(parseDockerfile(dockerfileOf(app)), finalStage(parseDockerfile(dockerfileOf(app))).name).env;

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

type Case = { variable: string; source: string; value: (valid: string) => string };

const secret = (variable: string, source: string, published: string): Case => ({ variable, source, value: () => published });
const password = (variable: string, source: string, published: string): Case => ({ variable, source, value: (valid) => withPassword(valid, published) });

/** Every published value each app could be given, by the variable it would arrive in. */
const CASES: Record<AppName, Case[]> = {
  web: [
    secret('NEXTAUTH_SECRET', 'the dev runner', DEV_RUNNER_DEFAULTS.NEXTAUTH_SECRET),
    secret('NEXTAUTH_SECRET', '.env.example', DOCKER_EXAMPLE_SECRETS.NEXTAUTH_SECRET),
    secret('NEXTAUTH_SECRET', 'an edited example', `${DOCKER_EXAMPLE_SECRETS.NEXTAUTH_SECRET}-2`),
    secret('TENANCY_CONTEXT_SECRET', 'init.sql', INIT_SQL_DEFAULTS.contextSecret),
    secret('TENANCY_CONTEXT_SECRET', '.env.example', DOCKER_EXAMPLE_SECRETS.TENANCY_CONTEXT_SECRET),
    secret('TENANCY_SECRETS_KEY', 'the dev runner', DEV_RUNNER_DEFAULTS.TENANCY_SECRETS_KEY),
    secret('TENANCY_SECRETS_KEY', '.env.example', DOCKER_EXAMPLE_SECRETS.TENANCY_SECRETS_KEY),
    secret('TENANCY_SECRETS_KEY', 'a short one', 'a'.repeat(31)),
    password('DATABASE_URL', 'init.sql', INIT_SQL_DEFAULTS.appPassword),
    password('DATABASE_URL', '.env.example', DOCKER_EXAMPLE_SECRETS.APP_USER_PASSWORD),
    password('AUTH_DATABASE_URL', 'init.sql', INIT_SQL_DEFAULTS.authPassword),
    password('AUTH_DATABASE_URL', '.env.example', DOCKER_EXAMPLE_SECRETS.APP_AUTH_PASSWORD),
    password('AUTH_DATABASE_URL', 'a short one', 'b'.repeat(31)),
  ],
  admin: [
    secret('NEXTAUTH_SECRET', 'the dev runner', DEV_RUNNER_DEFAULTS.NEXTAUTH_SECRET),
    secret('NEXTAUTH_SECRET', '.env.example', DOCKER_EXAMPLE_SECRETS.NEXTAUTH_SECRET),
    secret('TENANCY_CONTEXT_SECRET', 'init.sql', INIT_SQL_DEFAULTS.contextSecret),
    secret('TENANCY_CONTEXT_SECRET', '.env.example', DOCKER_EXAMPLE_SECRETS.TENANCY_CONTEXT_SECRET),
    secret('TENANCY_SECRETS_KEY', 'the dev runner', DEV_RUNNER_DEFAULTS.TENANCY_SECRETS_KEY),
    secret('TENANCY_SECRETS_KEY', '.env.example', DOCKER_EXAMPLE_SECRETS.TENANCY_SECRETS_KEY),
    secret('PGBOUNCER_AUTH_PASSWORD', 'the dev runner', DEV_RUNNER_DEFAULTS.PGBOUNCER_AUTH_PASSWORD),
    secret('PGBOUNCER_AUTH_PASSWORD', '.env.example', DOCKER_EXAMPLE_SECRETS.PGBOUNCER_AUTH_PASSWORD),
    password('DATABASE_URL', 'init.sql', INIT_SQL_DEFAULTS.appPassword),
    password('DATABASE_URL', '.env.example', DOCKER_EXAMPLE_SECRETS.APP_USER_PASSWORD),
    password('OPERATOR_DATABASE_URL', 'init.sql', INIT_SQL_DEFAULTS.operatorPassword),
    password('OPERATOR_DATABASE_URL', '.env.example', DOCKER_EXAMPLE_SECRETS.APP_OPERATOR_PASSWORD),
    password('ADMIN_DATABASE_URL', '.env.example', DOCKER_EXAMPLE_SECRETS.POSTGRES_PASSWORD),
    password('ADMIN_DATABASE_URL', "the embedded cluster's default", 'postgres'),
  ],
};

describe.skipIf(!requireTools('resolving compose.yml', [DOCKER_COMPOSE]))('a production start refuses published secrets', () => {
  test.each(APPS)('%s: with .env.example copied unchanged, it exits naming every secret it was given', async (app) => {
    const env = { ...imageEnv(app), ...environmentOf(resolveCompose(ENV_EXAMPLE).services[app]!) };
    expect(env.NODE_ENV).toBe('production');
    const check = await checkWithAppSchema(app, env);
    expect(check.ok, `${app} started with the example secrets`).toBe(false);
    const error = check.ok ? '' : check.error;
    const expected = CASES[app].map((c) => c.variable).filter((name, i, all) => all.indexOf(name) === i);
    for (const variable of expected) expect(error, variable).toMatch(new RegExp(`\\b${variable} (is|has) [^;]*${GENERATE.replaceAll(' ', '\\s')}`));
    // Never the value itself: the message goes to the container log.
    for (const value of Object.values(DOCKER_EXAMPLE_SECRETS)) expect(error).not.toContain(value);
  });

  let generated: ReturnType<typeof resolveCompose> | undefined;

  describe.each(APPS)('%s', (app) => {
    const valid = () => {
      generated ??= resolveCompose(generatedEnvFile());
      return { ...imageEnv(app), ...environmentOf(generated.services[app]!) };
    };

    test('starts with generated secrets (the baseline of the cases below)', async () => {
      expect(await checkWithAppSchema(app, valid())).toMatchObject({ ok: true });
    });

    test.each(CASES[app].map((c) => [c.variable, c.source, c] as const))('refuses %s from %s', async (variable, _source, c) => {
      const env = valid();
      env[variable] = c.value(env[variable]!);
      const check = await checkWithAppSchema(app, env);
      expect(check.ok).toBe(false);
      const error = check.ok ? '' : check.error;
      expect(error).toMatch(new RegExp(`Invalid environment: ${variable} (is|has) `));
      expect(error).toContain(GENERATE);
    });
  });

  test('admin: a production start without ARCHIVE_DIR exits naming it (a default would sit in the build output)', async () => {
    generated ??= resolveCompose(generatedEnvFile());
    const env: Record<string, string> = { ...imageEnv('admin'), ...environmentOf(generated.services.admin!) };
    expect(env.ARCHIVE_DIR, 'compose sets it').toBeDefined();
    delete env.ARCHIVE_DIR;
    const check = await checkWithAppSchema('admin', env);
    expect(check.ok).toBe(false);
    expect(check.ok ? '' : check.error).toMatch(/Invalid environment: ARCHIVE_DIR is required in production/);
  });
});
