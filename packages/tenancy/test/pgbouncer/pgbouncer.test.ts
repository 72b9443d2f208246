import { execFileSync } from 'node:child_process';
import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import { requirePgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPgBouncerAuth, PgBouncerAuthSetupError, PgBouncerLoginError } from '../../src/pgbouncer/index';
import {
  APP_PASSWORD,
  APP_USER,
  AUTH_PASSWORD,
  connectThrough,
  ensureLoginRole,
  isAlive,
  rawConnectError,
  runFormatted,
  seenBy,
  startBouncerFor,
  uniqueSuffix,
} from './support';

// The real pgbouncer binary in front of the suite's real PostgreSQL. In CI (CI set) a missing
// binary fails the run; elsewhere the suite is skipped with the reason printed.
describe.skipIf(!requirePgBouncer())('PgBouncer in front of PostgreSQL', () => {
  let db: TestDatabase;
  let admin: pg.Client;
  // Transaction mode with one server connection per (database, role): every app_user client of
  // the suite's database shares the same backend, which is what a leak needs to show.
  let bouncer: PgBouncer;
  const clients: pg.Client[] = [];

  const app = async (): Promise<pg.Client> => track(await connectThrough(bouncer, APP_USER, APP_PASSWORD, db.name));
  const track = (client: pg.Client): pg.Client => (clients.push(client), client);

  beforeAll(async () => {
    db = await createTestDatabase('pgbouncer');
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await ensureLoginRole(admin, APP_USER, APP_PASSWORD);
    await installPgBouncerAuth(admin, { authPassword: AUTH_PASSWORD });
    bouncer = await startBouncerFor(db, { poolMode: 'transaction', defaultPoolSize: 1 });
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.end().catch(() => undefined)));
    const pid = bouncer?.pid;
    await bouncer?.stop();
    if (pid !== undefined) expect(isAlive(pid)).toBe(false);
    await admin?.end();
    await db?.drop();
  });

  describe('auth_query', () => {
    it('logs app_user in although only the auth user is in the auth file', async () => {
      const client = await app();
      const { rows } = await client.query<{ user: string; database: string }>('SELECT current_user AS user, current_database() AS database');
      expect(rows[0]).toEqual({ user: APP_USER, database: db.name });
    });

    it('reaches a database and a role created after pgbouncer started, without a reload', async () => {
      const pidBefore = bouncer.pid;
      const suffix = uniqueSuffix();
      const lateDb = `${db.name}_late_${suffix}`.slice(0, 63);
      const lateRole = `pgb_late_${suffix}`;
      const latePassword = `late-${uniqueSuffix()}-password`;
      await runFormatted(admin, 'CREATE DATABASE %I', lateDb);
      await runFormatted(admin, 'CREATE ROLE %I LOGIN PASSWORD %L', lateRole, latePassword);
      try {
        await installIn(db.serverUrl(lateDb));
        const client = track(await connectThrough(bouncer, lateRole, latePassword, lateDb));
        const { rows } = await client.query<{ user: string; database: string }>('SELECT current_user AS user, current_database() AS database');
        expect(rows[0]).toEqual({ user: lateRole, database: lateDb });
        expect(bouncer.pid).toBe(pidBefore);
        await client.end();
      } finally {
        await runFormatted(admin, 'DROP DATABASE IF EXISTS %I WITH (FORCE)', lateDb);
        await runFormatted(admin, 'DROP ROLE IF EXISTS %I', lateRole);
      }
    });

    it('returns login roles to the auth role only, and never a superuser', async () => {
      const asAuth = new pg.Client({ connectionString: roleUrl(db.url, 'pgbouncer_auth', AUTH_PASSWORD) });
      await asAuth.connect();
      try {
        const lookup = (role: string) => asAuth.query('SELECT usename FROM pgbouncer.get_auth($1)', [role]).then((r) => r.rows);
        expect(await lookup(APP_USER)).toEqual([{ usename: APP_USER }]);
        expect(await lookup(new URL(db.url).username)).toEqual([]);
      } finally {
        await asAuth.end();
      }
      const asApp = new pg.Client({ connectionString: roleUrl(db.url, APP_USER, APP_PASSWORD) });
      await asApp.connect();
      try {
        await expect(asApp.query(`SELECT * FROM pgbouncer.get_auth('app_user')`)).rejects.toMatchObject({ code: '42501' });
      } finally {
        await asApp.end();
      }
    });

    it('refuses a superuser through pgbouncer', async () => {
      const superuser = new URL(db.url);
      const error = await connectThrough(bouncer, superuser.username, decodeURIComponent(superuser.password), db.name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgBouncerLoginError);
      expect(error).toMatchObject({ reason: 'unknown-role', user: superuser.username });
    });
  });

  describe('tenant context under transaction pooling', () => {
    it('leaks a session-level SET to another client, and not set_config(..., true) in a transaction', async () => {
      const [a, b] = [await app(), await app()];

      await a.query(`SET app.current_tenant_id = 'tenant_a'`);
      const afterSet = await seenBy(a);
      const leaked = await seenBy(b);
      // Proves the two clients shared one server connection, so the check below means something.
      expect(leaked.pid).toBe(afterSet.pid);
      expect(leaked.tenant).toBe('tenant_a');

      await a.query('RESET app.current_tenant_id');
      await a.query('BEGIN');
      await a.query(`SELECT set_config('app.current_tenant_id', 'tenant_b', true)`);
      expect((await seenBy(a)).tenant).toBe('tenant_b');
      await a.query('COMMIT');
      const after = await seenBy(b);
      expect(after.pid).toBe(afterSet.pid);
      expect(after.tenant).toBe('');
    });

    it('session mode clears a SET with DISCARD ALL before the next client gets the connection', async () => {
      const session = await startBouncerFor(db, { poolMode: 'session', defaultPoolSize: 1 });
      try {
        const first = await connectThrough(session, APP_USER, APP_PASSWORD, db.name);
        await first.query(`SET app.current_tenant_id = 'tenant_a'`);
        const before = await seenBy(first);
        await first.end();
        const second = await connectThrough(session, APP_USER, APP_PASSWORD, db.name);
        const seen = await seenBy(second);
        await second.end();
        expect(seen.pid).toBe(before.pid);
        expect(seen.tenant).toBe(''); // the placeholder setting survives RESET ALL, its value does not
      } finally {
        await session.stop();
      }
    });
  });

  describe('errors', () => {
    it('names the role when its password is wrong', async () => {
      const raw = await rawConnectError(bouncer.url(APP_USER, 'not-the-password', db.name));
      // PgBouncer's own text names no role; the explained error does.
      expect(raw).toMatchObject({ message: 'SASL authentication failed', code: '08P01' });
      const error = await connectThrough(bouncer, APP_USER, 'not-the-password', db.name).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PgBouncerLoginError);
      expect(error).toMatchObject({ reason: 'wrong-password', user: APP_USER });
      expect((error as Error).message).toMatch(/wrong password for role "app_user"/);
    });

    it('says to install the lookup when a database lacks it', async () => {
      const bare = `${db.name}_bare_${uniqueSuffix()}`.slice(0, 63);
      await runFormatted(admin, 'CREATE DATABASE %I', bare);
      try {
        const error = await connectThrough(bouncer, APP_USER, APP_PASSWORD, bare).catch((e: unknown) => e);
        expect(error).toMatchObject({ reason: 'auth-query-failed', database: bare });
        expect((error as Error).message).toMatch(/run installPgBouncerAuth in that database/);
      } finally {
        await runFormatted(admin, 'DROP DATABASE IF EXISTS %I WITH (FORCE)', bare);
      }
    });

    it('refuses a connection to a stopped pgbouncer with ECONNREFUSED, and leaves no process', async () => {
      const doomed = await startBouncerFor(db, { poolMode: 'transaction' });
      const pid = doomed.pid;
      const url = doomed.url(APP_USER, APP_PASSWORD, db.name);
      await doomed.stop();
      expect(isAlive(pid)).toBe(false);
      expect(() => execFileSync('ps', ['-p', String(pid)], { stdio: 'ignore' })).toThrow();
      expect(await rawConnectError(url)).toMatchObject({ code: 'ECONNREFUSED' });
      const error = await connectThrough(doomed, APP_USER, APP_PASSWORD, db.name).catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: 'unreachable', user: APP_USER });
    });

    it('serves new clients after a restart on the same port; old clients get an error', async () => {
      const restartable = await startBouncerFor(db, { poolMode: 'transaction' });
      try {
        const old = await connectThrough(restartable, APP_USER, APP_PASSWORD, db.name);
        await old.query('SELECT 1');
        const [port, pid] = [restartable.port, restartable.pid];
        await restartable.restart();
        expect(restartable.port).toBe(port);
        expect(restartable.pid).not.toBe(pid);
        expect(isAlive(pid)).toBe(false);
        await expect(old.query('SELECT 1')).rejects.toThrow();
        await old.end().catch(() => undefined);
        const fresh = await connectThrough(restartable, APP_USER, APP_PASSWORD, db.name);
        expect((await fresh.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        await fresh.end();
      } finally {
        await restartable.stop();
      }
    });
  });

  describe('installPgBouncerAuth', () => {
    it('is idempotent and leaves a matching password alone', async () => {
      expect(await installPgBouncerAuth(admin, { authPassword: AUTH_PASSWORD })).toEqual({ database: db.name, passwordUpdated: false });
    });

    it('converges a changed password, on a role of its own', async () => {
      const authUser = `pgb_auth_${uniqueSuffix()}`;
      try {
        expect((await installPgBouncerAuth(admin, { authUser, authPassword: 'first-password' })).passwordUpdated).toBe(false);
        expect((await installPgBouncerAuth(admin, { authUser, authPassword: 'second-password' })).passwordUpdated).toBe(true);
        const asAuth = new pg.Client({ connectionString: roleUrl(db.url, authUser, 'second-password') });
        await asAuth.connect();
        await asAuth.end();
      } finally {
        await runFormatted(admin, 'DROP OWNED BY %I', authUser);
        await runFormatted(admin, 'DROP ROLE IF EXISTS %I', authUser);
      }
    });

    it('refuses a superuser as the auth role', async () => {
      const superuser = new URL(db.url).username;
      await expect(installPgBouncerAuth(admin, { authUser: superuser, authPassword: AUTH_PASSWORD })).rejects.toThrow(
        new RegExp(`PgBouncer auth role ${superuser} is a superuser`),
      );
      await expect(installPgBouncerAuth(admin, { authUser: superuser, authPassword: AUTH_PASSWORD })).rejects.toThrow(PgBouncerAuthSetupError);
    });

    it('refuses a connection that is not a superuser', async () => {
      const asApp = new pg.Client({ connectionString: roleUrl(db.url, APP_USER, APP_PASSWORD) });
      await asApp.connect();
      try {
        await expect(installPgBouncerAuth(asApp, { authPassword: AUTH_PASSWORD })).rejects.toThrow(PgBouncerAuthSetupError);
      } finally {
        await asApp.end();
      }
    });
  });

  async function installIn(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await installPgBouncerAuth(client, { authPassword: AUTH_PASSWORD });
    } finally {
      await client.end();
    }
  }
});

function roleUrl(databaseUrl: string, role: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = password;
  return url.toString();
}
