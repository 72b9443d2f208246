import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import { chromiumLaunchOptions } from '@repo/e2e/chromium';
import { hashPassword } from '@repo/auth/password';
import { OPERATOR_PASSWORD, SEED_OPERATORS } from '@repo/db/seed';
import { TENANT_MIGRATIONS_FOLDER } from '@repo/db/migrations';
import { createAppTenancy } from '@repo/db/tenancy';
import { pgbouncerUserlist, poolerFromSetting, type PoolerSetting } from '@repo/tenancy/pgbouncer';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PGBOUNCER_INPUT } from '../../../infra/docker/generate';
import {
  ancestorNodeModules,
  appImage,
  builderRoot,
  assembleLikeDockerfile,
  buildLikeDockerfile,
  escapingSymlinks,
  startLikeDockerfile,
  volumeDir,
  type AppImage,
  type AssembledImage,
} from '../src/app-image';
import { environmentOf, healthcheckCommand, mountsOf, portsOf, resolveCompose, type ComposeFile } from '../src/compose';
import { copies, execCommand, parseDockerfile, resolveStage } from '../src/dockerfile';
import { generatedEnvFile } from '../src/generated-env';
import { mapEnvironment, type Network } from '../src/network';
import { startComposePgBouncer, type ComposePgBouncer } from '../src/pgbouncer';
import { initLikeEntrypoint, type InitScript } from '../src/postgres-init';
import { dockerfileOf, ENV_EXAMPLE, REPO_ROOT, type AppName } from '../src/paths';
import { run, runOk, waitForHttp, type Service } from '../src/processes';
import { CHROMIUM, DOCKER_COMPOSE, PGBOUNCER, PSQL, requireTools } from '../src/requirements';

// The compose stack without a Docker engine: every service is started from the files compose.yml uses, with the
// environment `docker-compose config` gives it (.env.example as .env, with its secrets generated as a deployment must:
// the images refuse the published ones); only the network is done by hand (a service name and port become 127.0.0.1
// and a local port: src/network.ts).

const available = requireTools('the compose stack outside Docker', [DOCKER_COMPOSE, PSQL, PGBOUNCER, CHROMIUM]);
const log = (line: string) => console.log(`[infra-tests] ${line}`);

describe.skipIf(!available)('the compose stack, outside Docker', () => {
  let resolved: ComposeFile;
  let serviceNames: string[];
  let dir: string;
  let cluster: EmbeddedCluster | undefined;
  let bouncer: ComposePgBouncer | undefined;
  let browser: Browser | undefined;
  let initScripts: InitScript[];
  const servers: Service[] = [];
  const network: Network = {};
  /** The web app's URL once its test has started it: the admin test signs in there as a tenant it created. */
  let webURL: string | undefined;
  /** The operator setup created on its first run, with the password it printed. */
  let firstOperator: { email: string; password: string } | undefined;

  const envOf = (service: string) => mapEnvironment(environmentOf(resolved.services[service]!), network, serviceNames);
  const endpoint = (service: string, localPort: number) => {
    const [port] = portsOf(resolved.services[service]!);
    if (!port) throw new Error(`${service} publishes no port`);
    network[service] = { containerPort: port.target, publishedPort: port.published, localPort };
  };

  /** A service's compose healthcheck, run here with its environment and PGPORT/PORT pointing at the local port. */
  async function healthcheck(service: string, extraEnv: Record<string, string> = {}): Promise<void> {
    const [command, ...args] = healthcheckCommand(resolved.services[service]!);
    const local = String(network[service]!.localPort);
    const result = await run(command!, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...envOf(service), ...extraEnv, PGPORT: local, PORT: local },
      timeoutMs: 30_000,
    });
    expect(result.code, `${service} healthcheck: ${result.output}`).toBe(0);
  }

  beforeAll(async () => {
    resolved = resolveCompose(generatedEnvFile());
    serviceNames = Object.keys(resolved.services);
    const postgres = environmentOf(resolved.services.postgres!);
    dir = await mkdtemp(path.join(os.tmpdir(), 'infra-stack-'));
    await chmod(dir, 0o755);
    // An empty server created with the image's superuser credentials, like the image's initdb.
    cluster = await startEmbeddedCluster({
      dataDir: path.join(dir, 'pg'),
      port: await findFreePort('127.0.0.1'),
      user: postgres.POSTGRES_USER,
      password: postgres.POSTGRES_PASSWORD,
      persistent: false,
      fsync: false,
    });
    endpoint('postgres', cluster.port);
    initScripts = await initLikeEntrypoint(resolved.services.postgres!, { host: '127.0.0.1', port: cluster.port });
    bouncer = await startComposePgBouncer(resolved.services.pgbouncer!, network);
    endpoint('pgbouncer', bouncer.bouncer.port);
    browser = await chromium.launch(chromiumLaunchOptions());
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.stop();
    await bouncer?.bouncer.stop();
    await cluster?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('postgres: the embedded major version, initdb settings and init scripts of the image', async () => {
    const service = resolved.services.postgres!;
    expect(service.image).toBe(`postgres:${cluster!.version.split('.')[0]}`);
    expect(initScripts.map((script) => path.posix.basename(script.target))).toEqual([
      '00-init.sql',
      '10-pgbouncer-auth.sql',
      '20-close-maintenance-databases.sql',
    ]);
    expect(initScripts[0]!.source).toBe(path.join(REPO_ROOT, 'init.sql'));
    const env = environmentOf(service);
    const client = new pg.Client({ connectionString: cluster!.url(env.POSTGRES_DB) });
    await client.connect();
    try {
      const { rows: locale } = await client.query<{ provider: string; locale: string; encoding: string }>(
        `SELECT datlocprovider AS provider, datlocale AS locale, pg_encoding_to_char(encoding) AS encoding FROM pg_database WHERE datname = current_database()`,
      );
      // POSTGRES_INITDB_ARGS makes the image's initdb match the embedded cluster's.
      expect(env.POSTGRES_INITDB_ARGS).toContain(`--builtin-locale=${locale[0]!.locale}`);
      expect(env.POSTGRES_INITDB_ARGS).toContain(`--encoding=${locale[0]!.encoding}`);
      expect(locale[0]!.provider).toBe('b');
      const { rows } = await client.query<{ slug: string }>('SELECT slug FROM tenancy.tenants ORDER BY slug');
      expect(rows.map((row) => row.slug)).toEqual(['acme', 'globex', 'hooli', 'initech']);
      const { rows: auth } = await client.query<{ rolcanlogin: boolean; rolsuper: boolean; lookup: boolean }>(
        `SELECT rolcanlogin, rolsuper, to_regprocedure('pgbouncer.get_auth(text)') IS NOT NULL AS lookup FROM pg_roles WHERE rolname = $1`,
        [PGBOUNCER_INPUT.authUser],
      );
      expect(auth).toEqual([{ rolcanlogin: true, rolsuper: false, lookup: true }]);
    } finally {
      await client.end();
    }
    await healthcheck('postgres');
  });

  test('pgbouncer: the mounted ini with only the network substitutions, the auth file its entrypoint writes', async () => {
    const mounted = mountsOf(resolved.services.pgbouncer!).find((mount) => mount.target === '/etc/pgbouncer/pgbouncer.ini');
    expect(mounted?.source).toBe(path.join(REPO_ROOT, 'infra', 'docker', 'pgbouncer', 'pgbouncer.ini'));
    expect(bouncer!.substitutions.map((change) => change.from)).toEqual([
      '* = host=postgres port=5432 auth_user=pgbouncer_auth',
      'listen_port = 6432',
      'auth_file = /etc/pgbouncer/userlist.txt',
    ]);
    const { PGBOUNCER_AUTH_PASSWORD } = environmentOf(resolved.services.pgbouncer!);
    expect(bouncer!.userlist).toBe(pgbouncerUserlist({ ...PGBOUNCER_INPUT, authPassword: PGBOUNCER_AUTH_PASSWORD! }));
    await healthcheck('pgbouncer');
  });

  test('setup: the setup image`s command prepares the database, and a second run (the next `up`) changes nothing', async () => {
    const setup = resolveStage(parseDockerfile(dockerfileOf('admin')), 'setup');
    const [command, ...args] = execCommand(setup.stage)!;
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...setup.env, ...envOf('setup') };
    // The setup stage is the admin installer stage plus its COPY of infra/docker/setup: the repository stands in
    // for it (or INFRA_TESTS_BUILDER_ROOT's installed admin tree, which gets the COPY here).
    const cwd = builderRoot('admin');
    if (cwd !== REPO_ROOT) {
      for (const copy of copies(setup.stage)) {
        for (const source of copy.sources) {
          await mkdir(path.join(cwd, copy.destination), { recursive: true });
          await runOk('cp', ['-a', `${path.join(REPO_ROOT, source)}/.`, `${path.join(cwd, copy.destination)}/`]);
        }
      }
    }
    const first = await run(command!, args, { cwd, env, timeoutMs: 300_000 });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('seeded database tenant(s): umbrella');
    // init.sql has no operator, and .env.example gives no password: setup generates one and prints it, once.
    const created = /^\[setup\] created the first operator (\S+) with a generated password.*\n\[setup\] +(\S+)$/m.exec(first.output);
    expect(created, first.output).not.toBeNull();
    firstOperator = { email: created![1]!, password: created![2]! };
    expect(firstOperator.email).toBe(environmentOf(resolved.services.setup!).FIRST_OPERATOR_EMAIL);
    // A volume made from an older init.sql holds the dev operator, whose password is published: the next run removes it.
    const owner = new pg.Client({ connectionString: cluster!.url(environmentOf(resolved.services.postgres!).POSTGRES_DB) });
    await owner.connect();
    try {
      const [dev] = SEED_OPERATORS;
      await owner.query('INSERT INTO public.operators (email, name, password_hash) VALUES ($1, $2, $3)', [
        dev.email,
        dev.name,
        await hashPassword(OPERATOR_PASSWORD),
      ]);
    } finally {
      await owner.end();
    }
    const second = await run(command!, args, { cwd, env, timeoutMs: 300_000 });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('seeded database tenant(s): none new');
    expect(second.output).toContain(`removed operator(s) with a published password: ${SEED_OPERATORS[0].email}`);
    expect(second.output).toContain('[setup] operators: 1 ');
    expect(second.output).not.toContain(firstOperator.password);
    // The runtime roles now have the passwords from .env: log in with them, through PgBouncer, as the apps will.
    for (const [service, variable] of [
      ['web', 'DATABASE_URL'],
      ['web', 'AUTH_DATABASE_URL'],
      ['admin', 'OPERATOR_DATABASE_URL'],
    ] as const) {
      const client = new pg.Client({ connectionString: envOf(service)[variable] });
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
    }
    // What the init scripts and setup made is safe by every check of tenancy.audit(), the seeded database tenant
    // included: run as the admin app runs it, with the setup service's configuration.
    const setupEnv = envOf('setup');
    const tenancy = createAppTenancy({
      adminUrl: setupEnv.ADMIN_DATABASE_URL!,
      appUrl: setupEnv.DATABASE_URL!,
      operatorUrl: setupEnv.OPERATOR_DATABASE_URL!,
      contextSecret: setupEnv.TENANCY_CONTEXT_SECRET!,
      migrationsFolder: TENANT_MIGRATIONS_FOLDER,
      pooler: poolerFromSetting(setupEnv.TENANCY_POOLER as PoolerSetting, setupEnv.PGBOUNCER_AUTH_PASSWORD),
    });
    try {
      const report = await tenancy.audit();
      expect(report.findings).toEqual([]);
      expect(report.placements).toBeGreaterThanOrEqual(3);
    } finally {
      await tenancy.close();
    }
  });

  /** Builds the app as its Dockerfile does, copies what the final stage copies into a fresh root and starts it. */
  async function startImage(app: AppName): Promise<{ image: AppImage; assembled: AssembledImage; baseURL: string; server: Service }> {
    const image = appImage(app);
    await buildLikeDockerfile(image, log);
    const root = path.join(dir, app);
    const assembled = await assembleLikeDockerfile(image, root);
    // Nothing outside the copied folder may be needed: no link out of it, no node_modules above it.
    expect(await escapingSymlinks(root)).toEqual([]);
    expect(ancestorNodeModules(assembled.workdir).filter((found) => !found.startsWith(assembled.workdir))).toEqual([]);
    endpoint(app, await findFreePort('127.0.0.1'));
    const env = envOf(app);
    for (const mount of mountsOf(resolved.services[app]!).filter((candidate) => !candidate.source.startsWith('/'))) {
      // A named volume: a directory of the image's user; the app's variables that name its path point there.
      const local = await volumeDir(image, assembled, mount.target);
      for (const [key, value] of Object.entries(env)) if (value === mount.target) env[key] = local;
    }
    const server = startLikeDockerfile(image, assembled, { ...env, PORT: String(network[app]!.localPort) });
    servers.push(server);
    const baseURL = `http://127.0.0.1:${network[app]!.localPort}`;
    await waitForHttp(`${baseURL}/`, server);
    log(`[${app}] standalone server started from ${assembled.workdir} (pid ${server.pid})`);
    return { image, assembled, baseURL, server };
  }

  /**
   * The same image started with .env.example copied unchanged (its published secrets): it must exit non-zero at once,
   * naming the variables, instead of serving anything.
   */
  async function expectRefusedWithExampleSecrets(app: AppName, image: AppImage, assembled: AssembledImage): Promise<void> {
    const example = mapEnvironment(environmentOf(resolveCompose(ENV_EXAMPLE).services[app]!), network, serviceNames);
    const server = startLikeDockerfile(image, assembled, { ...example, PORT: String(await findFreePort('127.0.0.1')) });
    servers.push(server);
    const deadline = Date.now() + 60_000;
    while (server.exited() === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.exited(), `${app} kept running with the example secrets:\n${server.log()}`).toBe('exit 1');
    for (const variable of ['NEXTAUTH_SECRET', 'TENANCY_CONTEXT_SECRET', 'DATABASE_URL']) expect(server.log()).toMatch(new RegExp(`\\b${variable} (is|has) `));
    expect(server.log()).toContain('openssl rand -hex 32');
  }

  async function signIn(page: Page, signInPage: RegExp, email: string, password: string, landing: RegExp): Promise<void> {
    // The home page: signed out, it sends the browser to the sign-in page.
    await page.goto('/');
    await page.waitForURL(signInPage);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(landing);
  }

  test('web: the Dockerfile`s build and start commands, then Chromium signs in through PgBouncer', async () => {
    const { image, assembled, baseURL } = await startImage('web');
    webURL = baseURL;
    await expectRefusedWithExampleSecrets('web', image, assembled);
    // The only database address the web process is given is PgBouncer's.
    expect(new URL(envOf('web').DATABASE_URL!).port).toBe(String(bouncer!.bouncer.port));
    expect(Object.values(envOf('web')).filter((value) => value.includes(`:${cluster!.port}/`))).toEqual([]);
    await healthcheck('web', image.runner.env);
    // One user of each placement: rls (acme), schema (hooli), database (umbrella, created by setup).
    for (const [email, project, other] of [
      ['alice@acme.test', 'Website relaunch', 'Lab inventory'],
      ['richard@hooli.test', 'Nucleus compression', 'Website relaunch'],
      ['albert@umbrella.test', 'Lab inventory', 'Nucleus compression'],
    ] as const) {
      const context = await browser!.newContext({ baseURL });
      try {
        const page = await context.newPage();
        await signIn(page, /\/sign-in/, email, 'demo-password', /\/projects$/);
        await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
        await page.getByText(project).first().waitFor();
        expect(await page.getByText(other).count(), `${email} sees another tenant's project`).toBe(0);
      } finally {
        await context.close();
      }
    }
  });

  test('admin: the Dockerfile`s build and start commands, then the first operator signs in with the password setup printed, sees every tenant and creates a database tenant that web reaches through PgBouncer', async () => {
    const { image, assembled, baseURL } = await startImage('admin');
    await expectRefusedWithExampleSecrets('admin', image, assembled);
    await healthcheck('admin', image.runner.env);
    const slug = 'docker_db';
    const email = 'admin@docker-db.test';
    let password: string;
    const context = await browser!.newContext({ baseURL });
    try {
      const page = await context.newPage();
      // The dev operator's published login does not open the console here.
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill(SEED_OPERATORS[0].email);
      await page.getByLabel('Password').fill(OPERATOR_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('alert').waitFor();
      expect(new URL(page.url()).pathname).toBe('/sign-in');
      expect(firstOperator, 'setup printed the first operator`s password').toBeDefined();
      await signIn(page, /\/sign-in/, firstOperator!.email, firstOperator!.password, /\/tenants$/);
      for (const slug of ['acme', 'hooli', 'umbrella']) await page.getByText(slug, { exact: true }).first().waitFor();
      await page.goto('/tenants/new');
      await page.getByLabel('Name', { exact: true }).fill('Docker Database');
      await page.getByLabel('Slug').fill(slug);
      await page.locator('input[name=plan][value=enterprise]').check();
      await page.getByLabel('Admin email').fill(email);
      await page.getByLabel('Admin name').fill('Docker Admin');
      await page.getByRole('button', { name: 'Create tenant' }).click();
      const result = page.getByTestId('create-result');
      await result.waitFor({ timeout: 60_000 });
      expect(await result.innerText()).toContain(`Tenant ${slug} created`);
      password = (await result.getByTestId('generated-password').innerText()).trim();
    } finally {
      await context.close();
    }
    // The web process knows only PgBouncer's address: its new admin gets in only if PgBouncer's auth_query role may
    // connect to the new tenant database (the grant the admin app makes with PGBOUNCER_AUTH_PASSWORD).
    const web = await browser!.newContext({ baseURL: webURL! });
    try {
      const page = await web.newPage();
      await signIn(page, /\/sign-in/, email, password, /\/projects$/);
      await page.getByRole('heading', { level: 1, name: 'Projects' }).waitFor();
      expect(await page.getByText('Website relaunch').count(), 'the new tenant sees another tenant`s project').toBe(0);
      // Read from the tenant's own database: its (empty) project list, under its name.
      await page.getByText('No projects in Docker Database').waitFor();
    } finally {
      await web.close();
    }
  });
});
