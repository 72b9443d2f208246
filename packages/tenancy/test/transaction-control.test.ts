import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { transactionControlIn } from '../src/context/transaction-control';
import { useTenancy } from './support';

const suite = useTenancy('txcontrol');

/** Text that cannot open or close a block comment, whatever it is put next to. */
const commentText = fc.string({ maxLength: 8 }).map((s) => s.replace(/[/*]/g, '.'));

/** What the server's lexer skips before a statement's first keyword: whitespace and both kinds of comment, nested ones too. */
const blank = fc
  .array(
    fc.oneof(
      fc.constantFrom(' ', '\t', '\n', '\r', '\f'),
      fc.string({ maxLength: 8 }).map((s) => `--${s}\n`),
      commentText.map((s) => `/*${s}*/`),
      commentText.map((s) => `/* outer /* ${s} */ still a comment */`),
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));
const anyCase = (word: string) =>
  fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));
const joined = (words: string[]) =>
  fc.tuple(blank, ...words.map((w) => fc.tuple(anyCase(w), blank))).map(([lead, ...rest]) => lead + rest.map(([w, b]) => `${w} ${b}`).join(''));

const ENDING = [
  ['commit'],
  ['end'],
  ['abort'],
  ['rollback'],
  ['rollback', 'and', 'chain'],
  ['commit', 'and', 'chain'],
  ['rollback', 'work'],
  ['end', 'transaction'],
];
const STAYING = [
  ['rollback', 'to', 'savepoint', 'p'],
  ['rollback', 'work', 'to', 'p'],
  ['rollback', 'transaction', 'to', 'savepoint', 'p'],
  ['release', 'savepoint', 'p'],
  ['select', '1'],
];

/** What the server did with the statement inside an open transaction: did that transaction end (a chained one counts)? */
async function serverEnds(client: pg.Client, statement: string): Promise<boolean> {
  await client.query('begin');
  const before = (await client.query<{ x: string }>('select txid_current()::text as x')).rows[0]!.x;
  await client.query('savepoint p');
  await client.query(statement).catch(async (error: unknown) => {
    await client.query('rollback');
    throw error;
  });
  const after = (await client.query<{ x: string }>('select txid_current()::text as x')).rows[0]!.x;
  if ((client as unknown as { getTransactionStatus(): string }).getTransactionStatus() === 'T') await client.query('rollback');
  return before !== after;
}

describe('transaction control inside a tenant transaction', () => {
  it('the library and the server agree on which statements end the transaction, whatever comments and case come before', async () => {
    const client = new pg.Client({ connectionString: suite().db.url });
    await client.connect();
    try {
      const statement = fc.oneof(
        ...ENDING.map((w) => joined(w).map((text) => ({ text, ends: true }))),
        ...STAYING.map((w) => joined(w).map((text) => ({ text, ends: false }))),
      );
      await fc.assert(
        fc.asyncProperty(statement, async ({ text, ends }) => {
          expect(await serverEnds(client, text), text).toBe(ends);
          expect(transactionControlIn(text) !== null, text).toBe(ends);
        }),
        { numRuns: 300 },
      );
    } finally {
      await client.end();
    }
  });

  it.each([
    ['begin', 'begin'],
    ['Start Transaction read write', 'start transaction'],
    ["prepare transaction 'x'", 'prepare transaction'],
    ["/* a */ COMMIT PREPARED 'x'", 'commit'],
  ])('%s is refused (%s)', (text, verb) => {
    expect(transactionControlIn(text)).toBe(verb);
  });

  it.each(["select 'commit'", 'prepare p as select 1', 'start', 'endpoint', '"commit"', 'with x as (select 1) select * from x', '-- commit\nselect 1'])(
    '%s is not transaction control',
    (text) => {
      expect(transactionControlIn(text)).toBeNull();
    },
  );

  it('the refusal comes before anything is sent: a refused COMMIT leaves the tenant transaction open and working', async () => {
    const { tenancy } = suite();
    await tenancy.createTenant({ slug: 'txc_a', name: 'A', strategy: 'rls' });
    const result = await tenancy.withTenant(
      'txc_a',
      async (tx) => {
        await tx.query(`insert into notes (body) values ('kept')`);
        const refused = await tx.query('commit').then(
          () => 'sent',
          (e: Error) => e.message,
        );
        return { refused, rows: (await tx.query('select body from notes')).rows };
      },
      { role: 'admin' },
    );
    expect(result.refused).toMatch(/"COMMIT" refused inside a tenant transaction/);
    expect(result.rows).toEqual([{ body: 'kept' }]);
  });
});
