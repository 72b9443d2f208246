import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/harness/index';

async function query<R extends pg.QueryResultRow>(url: string, sql: string): Promise<R[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<R>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('createTestDatabase', () => {
  let first: TestDatabase;
  let second: TestDatabase;

  beforeAll(async () => {
    [first, second] = await Promise.all([createTestDatabase('harness a'), createTestDatabase('harness b')]);
  });

  afterAll(async () => {
    await Promise.all([first?.drop(), second?.drop()]);
  });

  it('gives each caller its own database on a real PostgreSQL', async () => {
    expect(first.name).not.toBe(second.name);
    expect(first.name).toMatch(/^t_harness_a_[0-9a-f]{10}$/);
    const [a] = await query<{ db: string; version: string }>(first.url, 'SELECT current_database() AS db, version() AS version');
    const [b] = await query<{ db: string }>(second.url, 'SELECT current_database() AS db');
    expect(a?.db).toBe(first.name);
    expect(b?.db).toBe(second.name);
    expect(a?.version).toMatch(/^PostgreSQL \d+/);
    expect(['env', 'testcontainers', 'embedded']).toContain(first.kind);
  });

  it('keeps what one database writes out of the other', async () => {
    await query(first.url, "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('first')");
    await query(second.url, "CREATE TABLE marker (v text); INSERT INTO marker VALUES ('second')");
    expect(await query(first.url, 'SELECT v FROM marker')).toEqual([{ v: 'first' }]);
    expect(await query(second.url, 'SELECT v FROM marker')).toEqual([{ v: 'second' }]);
  });

  it('reaches the same server through serverUrl()', async () => {
    const rows = await query<{ datname: string }>(first.serverUrl(), 'SELECT datname FROM pg_database ORDER BY datname');
    const names = rows.map((row) => row.datname);
    expect(names).toEqual(expect.arrayContaining([first.name, second.name]));
    const [other] = await query<{ db: string }>(first.serverUrl(second.name), 'SELECT current_database() AS db');
    expect(other?.db).toBe(second.name);
  });

  it('closes postgres and template1 to PUBLIC on a server it started, and leaves TEST_DATABASE_URL`s alone', async () => {
    const rows = await query<{ datname: string }>(
      first.serverUrl(),
      `SELECT datname FROM pg_database WHERE datname IN ('postgres', 'template1') AND has_database_privilege('public', oid, 'CONNECT') ORDER BY datname`,
    );
    // A tenant role of a database-per-tenant deployment must not reach the cluster's own databases (tenancy audit()).
    expect(rows.map((row) => row.datname)).toEqual(first.kind === 'env' ? expect.any(Array) : []);
    // The superuser still connects, and CREATE DATABASE still copies template1.
    const [me] = await query<{ db: string }>(first.serverUrl('postgres'), 'SELECT current_database() AS db');
    expect(me?.db).toBe('postgres');
  });

  it('drops the database, twice without error', async () => {
    const db = await createTestDatabase();
    expect(db.name).toMatch(/^t_harness_[0-9a-f]{10}$/);
    await db.drop();
    await db.drop();
    const rows = await query(db.serverUrl(), `SELECT 1 FROM pg_database WHERE datname = '${db.name}'`);
    expect(rows).toEqual([]);
  });
});
