import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findFreePort, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import { requirePgBouncer, startPgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenancy, type Tenancy, type Tenant } from '../../src/index';
import { PgBouncerConfigError, pgbouncerInisPerServer, pgbouncerUserlist, type SharedPgBouncerInput } from '../../src/pgbouncer/index';
import { baseConfig, dropClusterObjects } from '../support';
import { APP_PASSWORD, AUTH_PASSWORD } from './support';

/** The deployment's database on server b: another cluster than the primary's. */
const B_DATABASE = 'servers_b';

interface Setup {
  db: TestDatabase;
  scratch: string;
  b: EmbeddedCluster;
  bouncer: PgBouncer;
  tenancy: Tenancy;
  tenants: { database: Tenant; schema: Tenant };
}

/** b's PgBouncer, rendered by the per-server generator from the deployment's list of servers. */
async function startBouncerForB(b: EmbeddedCluster): Promise<PgBouncer> {
  const shared: SharedPgBouncerInput = {
    poolMode: 'transaction',
    authPassword: AUTH_PASSWORD,
    authFile: '/dev/null',
    serverLoginRetry: 1,
    // A login PgBouncer cannot make fails the test in seconds instead of hanging it (1.18 retries until then).
    queryWaitTimeout: 10,
    // The console's SHOW commands, to see which pools served the tenants.
    statsUsers: ['pgbouncer_auth'],
  };
  return startPgBouncer({
    ini: (runtime) => {
      const inis = pgbouncerInisPerServer({ ...shared, authFile: runtime.authFile, unixSocketDir: runtime.socketDir, pidfile: runtime.pidFile }, [
        { name: 'b', serverHost: b.host, serverPort: b.port, listenPort: runtime.port },
      ]);
      return inis.find((i) => i.server === 'b')!.ini;
    },
    userlist: pgbouncerUserlist(shared),
  });
}

async function deploy(): Promise<Setup> {
  const db = await createTestDatabase('pgb_servers');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'tenancy-server-b-'));
  const b = await startEmbeddedCluster({ dataDir: path.join(scratch, 'pg'), port: await findFreePort('127.0.0.1'), persistent: false, fsync: false });
  const admin = new pg.Client({ connectionString: b.url('postgres') });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${B_DATABASE}`);
  await admin.end();
  const bouncer = await startBouncerForB(b);
  // The primary direct; b's app connections, tenants' included, through b's PgBouncer (DDL goes to b direct).
  const tenancy = createTenancy({
    ...baseConfig(db),
    servers: [
      {
        name: 'b',
        adminUrl: b.url(B_DATABASE),
        appUrl: bouncer.url('app_user', APP_PASSWORD, B_DATABASE),
        pooler: { kind: 'pgbouncer', mode: 'transaction', authPassword: AUTH_PASSWORD },
      },
    ],
  });
  await tenancy.setup();
  const database = await tenancy.createTenant({ slug: 'pbs_database', name: 'On b, a database', strategy: 'database', server: 'b' });
  const schema = await tenancy.createTenant({ slug: 'pbs_schema', name: 'On b, a schema', strategy: 'schema', server: 'b' });
  return { db, scratch, b, bouncer, tenancy, tenants: { database, schema } };
}

async function teardown(setup: Setup | undefined): Promise<void> {
  if (!setup) return;
  await setup.tenancy.close();
  await setup.bouncer.stop();
  await setup.b.stop();
  await rm(setup.scratch, { recursive: true, force: true });
  await setup.db.drop();
  await dropClusterObjects(setup.db, setup.tenancy.config.namePrefix);
}

/** b's PgBouncer's pools, by database and user, through its console (simple protocol only). */
async function bouncerPools(bouncer: PgBouncer): Promise<{ database: string; user: string }[]> {
  const console = new pg.Client({ connectionString: bouncer.url('pgbouncer_auth', AUTH_PASSWORD, 'pgbouncer') });
  await console.connect();
  try {
    const { rows } = await console.query<{ database: string; user: string }>('SHOW POOLS');
    return rows.map((r) => ({ database: r.database, user: r.user }));
  } finally {
    await console.end();
  }
}

describe.skipIf(!requirePgBouncer())('a deployment with servers, each behind its own PgBouncer', () => {
  let setup: Setup | undefined;
  beforeAll(async () => {
    setup = await deploy();
  }, 180_000);
  afterAll(() => teardown(setup), 120_000);

  it("a database tenant and a schema tenant on server b are served through b's PgBouncer in transaction mode, each its own rows", async () => {
    const { tenancy, tenants, bouncer, b } = setup!;
    const write = (tenant: Tenant, body: string) => tenancy.queryAs(tenant.slug, 'insert into notes (body) values ($1)', [body], { role: 'admin' });
    // Interleaved on few server connections: transaction mode hands each connection from one tenant to the other.
    await Promise.all(Array.from({ length: 40 }, (_, i) => write(i % 2 ? tenants.database : tenants.schema, `${i % 2 ? 'database' : 'schema'} ${i}`)));
    for (const [kind, tenant] of Object.entries(tenants)) {
      const seen = await tenancy.withTenant(
        tenant.slug,
        async (tx) => {
          const where = await tx.query<{ port: number; database: string }>('select inet_server_port() as port, current_database() as database');
          const notes = await tx.query<{ body: string }>('select body from notes');
          return { ...where.rows[0]!, bodies: notes.rows.map((r) => r.body) };
        },
        { role: 'viewer' },
      );
      expect(seen.port).toBe(b.port);
      expect(seen.database).toBe(tenant.databaseName ?? B_DATABASE);
      expect(seen.bodies).toHaveLength(20);
      expect(seen.bodies.every((body) => body.startsWith(`${kind} `))).toBe(true);
    }
    // The database tenant's own role logged in through b's PgBouncer (found by auth_query in its database), and the
    // schema tenant's requests went through it as the app role.
    const pools = await bouncerPools(bouncer);
    expect(pools).toContainEqual({ database: tenants.database.databaseName, user: tenants.database.roleName });
    expect(pools).toContainEqual({ database: B_DATABASE, user: 'app_user' });
  });

  it('the per-server generator refuses a list it cannot serve, naming the field', () => {
    const shared = { poolMode: 'transaction', authFile: '/etc/pgbouncer/userlist.txt' } as const;
    const twice = () =>
      pgbouncerInisPerServer(shared, [
        { name: 'a', serverHost: '10.0.0.1', serverPort: 5432, listenPort: 6432 },
        { name: 'b', serverHost: '10.0.0.2', serverPort: 5432, listenPort: 6432 },
      ]);
    expect(twice).toThrow(PgBouncerConfigError);
    expect(twice).toThrow(/servers\.1\.listenPort/);
    expect(() => pgbouncerInisPerServer(shared, [{ name: 'b', serverHost: 'db b; evil', serverPort: 5432, listenPort: 6432 }])).toThrow(
      /servers\.0\.serverHost/,
    );
    const inis = pgbouncerInisPerServer(shared, [
      { name: 'primary', serverHost: '10.0.0.1', serverPort: 5432, listenPort: 6432 },
      { name: 'b', serverHost: '10.0.0.2', serverPort: 5433, listenPort: 6433 },
    ]);
    expect(inis.map((i) => [i.server, i.listenPort])).toEqual([
      ['primary', 6432],
      ['b', 6433],
    ]);
    expect(inis[1]!.ini).toContain('* = host=10.0.0.2 port=5433 auth_user=pgbouncer_auth');
    expect(inis[1]!.ini).toContain('listen_port = 6433');
  });
});
