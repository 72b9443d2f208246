import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INIT_SQL_DEFAULTS } from '@repo/db/init-sql';
import { prepareDatabase } from '@repo/db/prepare';
import type { AppTenancy } from '@repo/db/tenancy';
import { startLocalPgBouncer } from '@repo/db/local';
import { createTestDatabase, type TestDatabase } from '@repo/localdb/harness';
import { requirePgBouncer } from '@repo/localdb/pgbouncer';
import { FileSecretsProvider, type Tenant } from '@repo/tenancy';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobQueue, type JobContext, type JobLog, type JobQueue } from '../src/index';

// A real PostgreSQL with the app's roles: the queue runs as app_auth (AUTH_DATABASE_URL), tenant work as app_user
// through the tenancy library, and tenants are deleted and moved with the library's own deleteTenant and moveTenant.

function roleUrl(url: string, role: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = role;
  parsed.password = password;
  return parsed.toString();
}

interface Seen {
  payload: { marker: string };
  tenantId: string | null;
  contextTenant: string | null;
  contextUser: string | null;
  strategy: string | null;
}

let db: TestDatabase;
let tenancy: AppTenancy;
let admin: pg.Pool;
let authUrl: string;
let queuePool: pg.Pool;
let appUrl: string;
/** Released by a test to let a move past its switch. */
let releaseMove: (() => void) | undefined;
let moveHeld: Promise<void> | undefined;
let failDeleteAt: string | undefined;
const seen: Seen[] = [];
const logged: { level: string; fields: Record<string, unknown> }[] = [];
const log: JobLog = {
  info: (fields) => logged.push({ level: 'info', fields: fields as Record<string, unknown> }),
  warn: (fields) => logged.push({ level: 'warn', fields: fields as Record<string, unknown> }),
  error: (fields) => logged.push({ level: 'error', fields: fields as Record<string, unknown> }),
};

async function record(payload: { marker: string }, context: JobContext): Promise<void> {
  let contextTenant: string | null = null;
  let contextUser: string | null = null;
  if (context.tx) {
    const { rows } = await context.tx.query<{ tenant: string | null; user: string | null }>(
      'SELECT tenancy.current_tenant_id()::text AS tenant, tenancy.current_user_id()::text AS user',
    );
    contextTenant = rows[0]!.tenant;
    contextUser = rows[0]!.user;
    // A write in the tenant's placement, in the job's transaction.
    await context.tx.query('INSERT INTO projects (name) VALUES ($1)', [payload.marker]);
  }
  seen.push({ payload, tenantId: context.tenant?.id ?? null, contextTenant, contextUser, strategy: context.tenant?.strategy ?? null });
}

function newQueue(pool: pg.Pool = queuePool): JobQueue {
  return createJobQueue({
    db: pool,
    tenancy,
    jobs: [{ name: 'record', handler: record }],
    log,
    pollingIntervalSeconds: 0.5,
    retryDelaySeconds: 1,
    retryLimit: 30,
  });
}

async function jobState(id: string): Promise<{ state: string; output: unknown }> {
  const { rows } = await admin.query<{ state: string; output: unknown }>('SELECT state, output FROM pgboss.job WHERE id = $1', [id]);
  return rows[0]!;
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const settled = (id: string) =>
  until(`job ${id} to settle`, async () => {
    const job = await jobState(id);
    return ['completed', 'failed'].includes(job.state) ? job : undefined;
  });

async function projectsOf(tenant: Tenant): Promise<string[]> {
  return tenancy.withTenant(tenant.id, async (tx) => (await tx.query<{ name: string }>('SELECT name FROM projects ORDER BY name')).rows.map((r) => r.name), {
    role: 'admin',
  });
}

beforeAll(async () => {
  db = await createTestDatabase('jobs');
  authUrl = roleUrl(db.url, 'app_auth', INIT_SQL_DEFAULTS.authPassword);
  appUrl = roleUrl(db.url, 'app_user', INIT_SQL_DEFAULTS.appPassword);
  tenancy = await prepareDatabase({
    adminUrl: db.url,
    appUrl,
    operatorUrl: roleUrl(db.url, 'app_operator', INIT_SQL_DEFAULTS.operatorPassword),
    authUrl,
    contextSecret: INIT_SQL_DEFAULTS.contextSecret,
    tenancy: {
      secrets: new FileSecretsProvider(path.join(mkdtempSync(path.join(os.tmpdir(), 'jobs-secrets-')), 'secrets.json')),
      namePrefix: `jobs${Math.random().toString(36).slice(2, 6)}_`,
      catalogCacheMs: 200,
      movePauseLimitMs: 300,
      beforeStep: async (step) => {
        if (step === 'move.switch' && moveHeld) await moveHeld;
        if (failDeleteAt && step === failDeleteAt) throw new Error(`stopped at ${step}`);
      },
    },
  });
  admin = new pg.Pool({ connectionString: db.url, max: 2 });
  queuePool = new pg.Pool({ connectionString: authUrl, max: 4 });
});

afterAll(async () => {
  await tenancy?.close();
  await admin?.end();
  await queuePool?.end();
  await db?.drop();
});

describe('the job queue', () => {
  it('keeps its tables away from app_user, whose SQL is assumed hostile', async () => {
    const app = new pg.Client({ connectionString: appUrl });
    await app.connect();
    try {
      for (const statement of ['SELECT * FROM pgboss.job', `INSERT INTO pgboss.job (name, data) VALUES ('record', '{}')`, 'SELECT * FROM pgboss.queue']) {
        await expect(app.query(statement), statement).rejects.toMatchObject({ code: '42501' });
      }
    } finally {
      await app.end();
    }
  });

  it('runs a tenant job inside that tenant context, as the user it names', async () => {
    const tenant = await tenancy.createTenant({ slug: 'job_ctx', name: 'Job context', strategy: 'rls' });
    const other = await tenancy.createTenant({ slug: 'job_other', name: 'Other', strategy: 'schema' });
    const { rows } = await admin.query<{ id: string }>(`INSERT INTO users (email, name, password_hash) VALUES ('job@example.test', 'J', 'x') RETURNING id`);
    const queue = newQueue();
    await queue.start({ work: true });
    try {
      const id = await queue.send('record', { marker: 'in-context' }, { tenant: { id: tenant.id, userId: rows[0]!.id, role: 'admin' } });
      expect(await settled(id)).toMatchObject({ state: 'completed', output: { status: 'done' } });
    } finally {
      await queue.stop();
    }
    expect(seen.find((s) => s.payload.marker === 'in-context')).toEqual({
      payload: { marker: 'in-context' },
      tenantId: tenant.id,
      contextTenant: tenant.id,
      contextUser: rows[0]!.id,
      strategy: 'rls',
    });
    expect(await projectsOf(tenant)).toEqual(['in-context']);
    expect(await projectsOf(other)).toEqual([]);
  });

  it('skips, with the reason logged, a job whose tenant was deleted meanwhile', async () => {
    const tenant = await tenancy.createTenant({ slug: 'job_deleted', name: 'Deleted', strategy: 'rls' });
    const sender = newQueue();
    await sender.start({ work: false });
    const id = await sender.send('record', { marker: 'deleted' }, { tenant: { id: tenant.id, role: 'admin' } });
    await sender.stop();
    await tenancy.deleteTenant(tenant.id, { archive: false });
    const worker = newQueue();
    await worker.start({ work: true });
    try {
      expect(await settled(id)).toMatchObject({ state: 'completed', output: { status: 'skipped', reason: 'tenant-deleted' } });
    } finally {
      await worker.stop();
    }
    expect(seen.some((s) => s.payload.marker === 'deleted')).toBe(false);
    expect(logged).toContainEqual({ level: 'warn', fields: expect.objectContaining({ event: 'jobs.skipped', jobId: id, reason: 'tenant-deleted' }) });
  });

  it('skips a job whose tenant is being deleted (serving nobody), rather than running it', async () => {
    const tenant = await tenancy.createTenant({ slug: 'job_deleting', name: 'Deleting', strategy: 'rls' });
    // A deletion stopped half-way leaves the tenant `deleting`: it serves no request, and no job either.
    failDeleteAt = 'rls.rows';
    await expect(tenancy.deleteTenant(tenant.id, { archive: false })).rejects.toThrow(/stopped at rls.rows/);
    failDeleteAt = undefined;
    const queue = newQueue();
    await queue.start({ work: true });
    try {
      const id = await queue.send('record', { marker: 'deleting' }, { tenant: { id: tenant.id, role: 'admin' } });
      expect(await settled(id)).toMatchObject({ state: 'completed', output: { status: 'skipped', reason: 'tenant-deleting' } });
    } finally {
      await queue.stop();
    }
    expect(seen.some((s) => s.payload.marker === 'deleting')).toBe(false);
  });

  it('postpones a job whose tenant is moving, then runs it in the new placement', async () => {
    const tenant = await tenancy.createTenant({ slug: 'job_moving', name: 'Moving', strategy: 'rls' });
    moveHeld = new Promise<void>((resolve) => (releaseMove = resolve));
    const reachedSwitch = until('the move to pause', async () => ((await tenancy.getTenant(tenant.id)).status === 'moving' ? true : undefined));
    const move = tenancy.moveTenant(tenant.id, 'schema');
    await reachedSwitch;
    const queue = newQueue();
    await queue.start({ work: true });
    try {
      const id = await queue.send('record', { marker: 'moved' }, { tenant: { id: tenant.id, role: 'admin' } });
      // The job waits out the pause (movePauseLimitMs), is refused while the tenant is still moving, and retried.
      await until('a postponed attempt', async () => (logged.some((l) => l.fields.jobId === id && l.fields.reason === 'tenant-moving') ? true : undefined));
      expect((await jobState(id)).state).not.toBe('completed');
      expect(seen.some((s) => s.payload.marker === 'moved')).toBe(false);
      releaseMove!();
      await move;
      expect(await settled(id)).toMatchObject({ state: 'completed', output: { status: 'done' } });
    } finally {
      moveHeld = undefined;
      await queue.stop();
    }
    expect(seen.find((s) => s.payload.marker === 'moved')).toMatchObject({ tenantId: tenant.id, contextTenant: tenant.id, strategy: 'schema' });
    expect(await projectsOf(tenant)).toEqual(['moved']);
  });
});

describe('a worker killed mid-job', () => {
  it('loses nothing: once the job expires, another worker runs it', async () => {
    const runs: string[] = [];
    const settings = { db: queuePool, tenancy, log, pollingIntervalSeconds: 0.5, retryDelaySeconds: 1, expireInSeconds: 2, maintenanceIntervalSeconds: 1 };
    const alive = createJobQueue({ ...settings, jobs: [{ name: 'once', handler: async () => void runs.push('alive') }] });
    // Creates the queue (2 s expiry) and sends, without working it yet.
    const sender = createJobQueue({ ...settings, jobs: [{ name: 'once', handler: async () => undefined }] });
    await sender.start({ work: false });
    const id = await sender.send('once', {});
    await sender.stop();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./dying-worker.ts', import.meta.url))], {
      env: { ...process.env, QUEUE_URL: authUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('taken') && resolve());
        child.once('exit', (code) => reject(new Error(`the dying worker exited (${code}) before taking the job`)));
      });
      expect((await jobState(id)).state).toBe('active');
      child.kill('SIGKILL');
      await alive.start({ work: true });
      expect(await settled(id)).toMatchObject({ state: 'completed', output: { status: 'done' } });
      expect(runs).toEqual(['alive']);
    } finally {
      child.kill('SIGKILL');
      await alive.stop();
    }
  });
});

// Outside CI a missing pgbouncer binary skips this case; in CI it fails.
describe.runIf(requirePgBouncer())('the job queue behind PgBouncer in transaction mode', () => {
  it('sends and runs a tenant job through a one-connection transaction pool (pg-boss polls; it needs no session)', async () => {
    const tenant = await tenancy.createTenant({ slug: 'job_bouncer', name: 'Bouncer', strategy: 'rls' });
    const local = await startLocalPgBouncer({
      adminUrl: db.url,
      authPassword: 'jobs-pgbouncer-auth-password',
      settings: { poolMode: 'transaction', defaultPoolSize: 1, serverLoginRetry: 1 },
      lookupIn: 'this-database',
    });
    const pool = new pg.Pool({ connectionString: local.bouncer.url('app_auth', INIT_SQL_DEFAULTS.authPassword, db.name), max: 4 });
    pool.on('error', () => undefined);
    const queue = newQueue(pool);
    try {
      await queue.start({ work: true });
      const id = await queue.send('record', { marker: 'through-bouncer' }, { tenant: { id: tenant.id, role: 'admin' } });
      expect(await settled(id)).toMatchObject({ state: 'completed', output: { status: 'done' } });
      expect(await projectsOf(tenant)).toEqual(['through-bouncer']);
    } finally {
      await queue.stop();
      await pool.end();
      await local.bouncer.stop();
    }
  });
});

describe('the deployment with the queue installed', () => {
  it('passes the tenancy audit', async () => {
    expect((await tenancy.audit()).findings.filter((f) => f.severity !== 'low')).toEqual([]);
  });
});
