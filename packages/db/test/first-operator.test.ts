import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@repo/auth/password';
import { ensureFirstOperator, FIRST_OPERATOR_NAME, removePublishedPasswordOperators } from '../src/operators/index';
import { DEMO_PASSWORD, OPERATOR_PASSWORD, SEED_OPERATORS, seedDevOperator } from '../src/seed/index';
import { usePreparedDatabase } from './support';

// The first operator of a deployment (the Docker setup, from FIRST_OPERATOR_EMAIL / FIRST_OPERATOR_PASSWORD or a
// generated password), the dev runner's seeded operator, and the removal of operators whose password is published.

const prepared = usePreparedDatabase('first_operator');

interface Sent {
  text: string;
  values: unknown[];
}

/** A client that keeps every statement and parameter it sends, to show what reached the server. */
async function recordingClient(url: string): Promise<{ client: pg.Client; sent: Sent[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const sent: Sent[] = [];
  const query = client.query.bind(client) as (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  (client as unknown as { query: typeof query }).query = (text: string, values?: unknown[]) => {
    sent.push({ text, values: values ?? [] });
    return query(text, values);
  };
  return { client, sent };
}

async function operators(): Promise<{ id: string; email: string; name: string; password_hash: string }[]> {
  return (await prepared().admin.query('SELECT id, email, name, password_hash FROM public.operators ORDER BY email')).rows;
}

async function withClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: prepared().db.url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

describe('the first operator', () => {
  beforeEach(async () => {
    await prepared().admin.query('DELETE FROM public.operators');
  });

  it('is created from the given email and password; the password reaches the server only as an argon2 hash in a bind parameter', async () => {
    const password = 'a-long-operator-password-0001';
    const { client, sent } = await recordingClient(prepared().db.url);
    let outcome;
    try {
      outcome = await ensureFirstOperator(client, { email: ' Root@Ops.Example.com ', password });
    } finally {
      await client.end();
    }
    expect(outcome).toMatchObject({ created: true, email: 'root@ops.example.com' });
    expect(outcome).not.toHaveProperty('generatedPassword');
    const [row, ...others] = await operators();
    expect(others).toEqual([]);
    expect(row).toMatchObject({ email: 'root@ops.example.com', name: FIRST_OPERATOR_NAME });
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(row!.password_hash, password)).toBe(true);
    expect(JSON.stringify(sent)).not.toContain(password);
    expect(sent.some((statement) => statement.values.includes(row!.password_hash))).toBe(true);
  });

  it('without a password, gets a generated one, returned once: a different one each time', async () => {
    const first = await withClient((client) => ensureFirstOperator(client, { email: 'first@example.com' }));
    expect(first.created).toBe(true);
    const generated = first.created ? first.generatedPassword! : '';
    expect(generated).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(await verifyPassword((await operators())[0]!.password_hash, generated)).toBe(true);
    await prepared().admin.query('DELETE FROM public.operators');
    const second = await withClient((client) => ensureFirstOperator(client, { email: 'first@example.com' }));
    expect(second.created && second.generatedPassword).not.toBe(generated);
  });

  it('is created only while there is no operator: a later start changes nothing, and never prints a password again', async () => {
    await withClient((client) => ensureFirstOperator(client, { email: 'first@example.com', password: 'the-first-password-01' }));
    const before = await operators();
    const again = await withClient((client) => ensureFirstOperator(client, { email: 'first@example.com' }));
    expect(again).toEqual({ created: false, existing: 1 });
    const other = await withClient((client) => ensureFirstOperator(client, { email: 'someone-else@example.com', password: 'another-password-0002' }));
    expect(other).toEqual({ created: false, existing: 1 });
    expect(await operators()).toEqual(before);
  });

  it('refuses a published password, a short one and an invalid email, and creates nothing', async () => {
    for (const password of [OPERATOR_PASSWORD, DEMO_PASSWORD]) {
      await expect(withClient((client) => ensureFirstOperator(client, { email: 'first@example.com', password }))).rejects.toThrow(/published/);
    }
    await expect(withClient((client) => ensureFirstOperator(client, { email: 'first@example.com', password: 'short' }))).rejects.toThrow(/at least 12/);
    await expect(withClient((client) => ensureFirstOperator(client, { email: 'not-an-email' }))).rejects.toThrow(/email/);
    expect(await operators()).toEqual([]);
  });

  it('two setups starting at once create one operator', async () => {
    // A third session holds the table, so both setups queue behind it and go on at the same moment.
    const blocker = new pg.Client({ connectionString: prepared().db.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE public.operators IN ACCESS EXCLUSIVE MODE');
      const both = Promise.all([
        withClient((client) => ensureFirstOperator(client, { email: 'one@example.com', password: 'password-of-setup-one' })),
        withClient((client) => ensureFirstOperator(client, { email: 'two@example.com', password: 'password-of-setup-two' })),
      ]);
      for (let waiting = 0; waiting < 2; await sleep(20)) {
        const { rows } = await prepared().admin.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%operators%'",
        );
        waiting = rows[0]!.n;
      }
      await blocker.query('COMMIT');
      const outcomes = await both;
      expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
    } finally {
      await blocker.end();
    }
    expect(await operators()).toHaveLength(1);
  });
});

describe('the dev operator', () => {
  beforeEach(async () => {
    await prepared().admin.query('DELETE FROM public.operators');
  });

  it('is added by the dev runner only when there is no operator', async () => {
    expect(await withClient((client) => seedDevOperator(client))).toBe(true);
    const [operator] = SEED_OPERATORS;
    const rows = await operators();
    expect(rows.map((row) => [row.id, row.email])).toEqual([[operator.id, operator.email]]);
    expect(await verifyPassword(rows[0]!.password_hash, OPERATOR_PASSWORD)).toBe(true);
    expect(await withClient((client) => seedDevOperator(client))).toBe(false);
    expect(await operators()).toEqual(rows);
  });
});

describe('operators with a published password', () => {
  it('are removed, and only they', async () => {
    const { admin } = prepared();
    await admin.query('DELETE FROM public.operators');
    const insert = async (email: string, password: string) =>
      admin.query("INSERT INTO public.operators (email, name, password_hash) VALUES ($1, 'x', $2)", [email, await hashPassword(password)]);
    // What a database made from an older init.sql holds, plus an operator created with a demo user's password.
    await insert('ops@tenancy.test', OPERATOR_PASSWORD);
    await insert('lazy@example.com', DEMO_PASSWORD);
    await insert('real@example.com', 'a-real-operator-password-7');
    expect(await withClient((client) => removePublishedPasswordOperators(client))).toEqual(['lazy@example.com', 'ops@tenancy.test']);
    expect((await operators()).map((row) => row.email)).toEqual(['real@example.com']);
    expect(await withClient((client) => removePublishedPasswordOperators(client))).toEqual([]);
  });
});
