import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { INIT_SQL_DEFAULTS } from '@repo/db/init-sql';
import { findFreePort, startEmbeddedCluster, type EmbeddedCluster } from '@repo/localdb/cluster';
import type { ServerInfo, Tenant } from '@repo/tenancy';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, roleUrl, useCliSuite, type CliResult } from './support';

// `tenancy servers`, `create --server`, `move --server` against two real servers: the suite's database (the primary)
// and a second embedded cluster ("b", which holds a shard of the shared tables), named in TENANCY_SERVERS as an operator
// would.

const suite = useCliSuite('servers');
let b: EmbeddedCluster | undefined;
let scratch: string | undefined;
let servers: Record<string, string> = {};

beforeAll(async () => {
  scratch = mkdtempSync(path.join(os.tmpdir(), 'cli-server-b-'));
  const dataDir = path.join(scratch, 'pg');
  b = await startEmbeddedCluster({ dataDir, port: await findFreePort('127.0.0.1'), persistent: false, fsync: false });
  await query(b.url(), 'CREATE DATABASE app_b');
  const adminUrl = b.url('app_b');
  servers = {
    TENANCY_SERVERS: JSON.stringify([
      { name: 'b', adminUrl, appUrl: roleUrl(adminUrl, 'app_user', INIT_SQL_DEFAULTS.appPassword), maxConnections: 4, sharedTables: true },
    ]),
  };
  // The second server gets setup()'s objects in its database: the same command, now that it is configured.
  const setup = await cli(['setup']);
  expect(setup.stderr).toBe('');
  expect(setup.code).toBe(0);
}, 180_000);

afterAll(async () => {
  await b?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function cli(args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> {
  return suite().cli(args, { ...servers, ...extra });
}

async function query<R extends pg.QueryResultRow>(url: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** The server the catalog records for a tenant: null is the primary. */
async function catalogServer(slug: string): Promise<string | null | undefined> {
  const { rows } = await suite().admin.query<{ server: string | null }>('SELECT server FROM tenancy.tenants WHERE slug = $1', [slug]);
  return rows[0]?.server;
}

const schemaOnB = async (schema: string) => (await query(b!.url('app_b'), 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).length === 1;

describe('tenancy servers', () => {
  it('lists both servers: primary, shared tables, state, tenants, reachable, pool cap', async () => {
    const listed = json<ServerInfo[]>(await cli(['servers', '--json']));
    expect(listed.map((s) => [s.name, s.primary, s.sharedTables, s.state, s.reachable, s.pools.maxConnections])).toEqual([
      ['primary', true, true, 'open', true, 20],
      ['b', false, true, 'open', true, 4],
    ]);
    const table = await cli(['servers']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+PRIMARY\s+SHARED\s+STATE\s+TENANTS\s+SIZE\s+REACHABLE\s+POOL$/);
    expect(table.stdout).toMatch(/^b\s+yes\s+open\s+0\s+\d+(\.\d)? [kMG]?B\s+yes\s+0\/4$/m);
  });

  it('an rls tenant goes on the shard b with create --server b, and moves between the shards with move --server', { timeout: 240_000 }, async () => {
    const s = suite().slug('sharded');
    const created = json<Tenant>(await cli(['create', '--slug', s, '--name', 'Sharded', '--strategy', 'rls', '--server', 'b', '--json']));
    expect(created).toMatchObject({ slug: s, strategy: 'rls', server: 'b', status: 'active' });
    expect(await catalogServer(s)).toBe('b');
    const home = await cli(['move', s, '--server', 'primary']);
    expect(home.code, home.stderr).toBe(0);
    expect(home.stdout).toMatch(new RegExp(`^Moved ${s} from rls on b to rls on primary: 0 rows in \\d+ ms`));
    expect(await catalogServer(s)).toBeNull();
    const out = json<{ fromServer: string; toServer: string }>(await cli(['move', s, '--server', 'b', '--json']));
    expect(out).toMatchObject({ fromServer: 'primary', toServer: 'b' });
    expect(await catalogServer(s)).toBe('b');
    // Exported, and imported again as a copy on the shard named.
    const file = path.join(suite().dir, `${s}.tar.gz`);
    expect((await cli(['export', s, '--out', file])).code).toBe(0);
    const copy = suite().slug('sharded_copy');
    const imported = await cli(['import', file, '--slug', copy, '--new-id', '--server', 'b']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(new RegExp(`^Imported .* as tenant ${copy} \\(rls on b, id `));
    expect(await catalogServer(copy)).toBe('b');
    expect((await cli(['delete', copy, '--no-archive', '--yes'])).code).toBe(0);
    // Home again: the next test counts b's tenants.
    expect(json<{ toServer: string }>(await cli(['move', s, '--server', 'primary', '--json'])).toServer).toBe('primary');
  });

  it('create --server b places the tenant there; move --server takes it back to the primary and out again, online', { timeout: 240_000 }, async () => {
    const s = suite().slug('roamer');
    const created = json<Tenant>(await cli(['create', '--slug', s, '--name', 'Roamer', '--strategy', 'schema', '--server', 'b', '--json']));
    expect(created).toMatchObject({ slug: s, strategy: 'schema', server: 'b', status: 'active' });
    expect(await catalogServer(s)).toBe('b');
    expect(await schemaOnB(`t_${s}`)).toBe(true);
    const listed = json<ServerInfo[]>(await cli(['servers', '--json']));
    expect(listed.find((x) => x.name === 'b')?.tenants).toBe(1);

    const home = await cli(['move', s, '--server', 'primary']);
    expect(home.code, home.stderr).toBe(0);
    expect(home.stdout).toMatch(new RegExp(`^Moved ${s} from schema on b to schema on primary: 0 rows in \\d+ ms; its requests waited \\d+ ms`));
    expect(await catalogServer(s)).toBeNull();
    expect(await schemaOnB(`t_${s}`)).toBe(false);

    const out = json<{ from: string; to: string; fromServer: string; toServer: string }>(await cli(['move', s, '--server', 'b', '--to', 'database', '--json']));
    expect(out).toMatchObject({ from: 'schema', to: 'database', fromServer: 'primary', toServer: 'b' });
    expect(await query(b!.url(), 'SELECT 1 FROM pg_database WHERE datname = $1', [`t_${s}`])).toHaveLength(1);

    // The old form still moves between strategies, on the server the tenant is on.
    const back = await cli(['move', s, '--to', 'schema']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(new RegExp(`^Moved ${s} from database to schema: `));
    expect(await catalogServer(s)).toBe('b');
  });

  it('drain takes no new tenants (exit 1, one line), open takes them again; the primary cannot be read-only (exit 2)', { timeout: 120_000 }, async () => {
    const drained = await cli(['servers', 'drain', 'b']);
    expect(drained.code, drained.stderr).toBe(0);
    expect(drained.stdout).toMatch(/^Server b is drained: /);
    const s = suite().slug('refused');
    const refused = await cli(['create', '--slug', s, '--name', 'Refused', '--strategy', 'schema', '--server', 'b']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^tenancy: Server "b" is drained: it takes no new tenants/);
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect(json<ServerInfo[]>(await cli(['servers', '--json'])).find((x) => x.name === 'b')?.state).toBe('drained');

    const opened = json<{ name: string; state: string }>(await cli(['servers', 'open', 'b', '--json']));
    expect(opened).toEqual({ name: 'b', state: 'open' });
    const { rows } = await suite().admin.query<{ state: string }>("SELECT state FROM tenancy.servers WHERE name = 'b'");
    expect(rows.map((r) => r.state).filter((state) => state !== 'open')).toEqual([]);

    const primary = await cli(['servers', 'read-only', 'primary']);
    expect(primary.code).toBe(2);
    expect(primary.stderr).toMatch(/^tenancy: The primary server \("primary"\) holds the catalog/);
    expect(primary.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('bad input is a usage error (exit 2) naming what is wrong, and changes nothing', async () => {
    const before = await suite().admin.query('SELECT slug, server FROM tenancy.tenants ORDER BY slug');
    const cases: Array<[string[], RegExp]> = [
      [['servers', 'drain'], /needs the server's name/],
      [['servers', 'drain', 'B-1'], /is not a server name/],
      [['servers', 'drain', 'nowhere'], /No server named "nowhere"/],
      [['servers', 'retire', 'b'], /Allowed choices are list, drain, open, read-only/],
      [['servers', 'list', 'b'], /takes no name/],
      [['move', 'anyone'], /--to or --server is required/],
      [['move', 'anyone', '--server', 'Nope!'], /--server is not a server name/],
      [['create', '--slug', 'nowhere_t', '--name', 'N', '--strategy', 'schema', '--server', 'nowhere'], /No server named "nowhere"/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
    expect((await suite().admin.query('SELECT slug, server FROM tenancy.tenants ORDER BY slug')).rows).toEqual(before.rows);
  });

  it('TENANCY_SERVERS that is not valid: exit 2 naming the entry and field, never the URL', async () => {
    const secret = 'leak-me-not-0123456789';
    const result = await cli(['servers'], { TENANCY_SERVERS: JSON.stringify([{ name: 'b', appUrl: `mysql://u:${secret}@x/app` }]) });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/TENANCY_SERVERS is invalid: entry 1: appUrl must be a postgres:\/\/ or postgresql:\/\/ connection URL/);
    expect(result.stderr).not.toContain(secret);
  });

  it('a stopped server is listed as unreachable; the others still answer', { timeout: 60_000 }, async () => {
    await b!.stop();
    const listed = json<ServerInfo[]>(await cli(['servers', '--json']));
    expect(listed.map((s) => [s.name, s.reachable, s.bytes === null])).toEqual([
      ['primary', true, false],
      ['b', false, true],
    ]);
    const table = await cli(['servers']);
    expect(table.stdout).toMatch(/^b\s+yes\s+open\s+\d+\s+-\s+NO \(/m);
  });
});
