import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { useTenancy } from '../support';

// Regression: pg.types is global, and an app may read timestamps as text (the bench does, to keep its client light).
// The move read the source server's clock as a Date and called getTime() on it: with such a parser every move failed
// in its pause ("markedAt.getTime is not a function"). Found by the servers benchmark.
const TIMESTAMPTZ = 1184;
const original = pg.types.getTypeParser(TIMESTAMPTZ);
pg.types.setTypeParser(TIMESTAMPTZ, (value: string) => value);
afterAll(() => pg.types.setTypeParser(TIMESTAMPTZ, original));

const suite = useTenancy('move_type_parsers', { catalogCacheMs: 100 });

describe('moveTenant under an app-wide timestamptz parser that keeps text', () => {
  it('moves the tenant, its rows with it', async () => {
    const { tenancy } = suite();
    await tenancy.createTenant({ slug: 'parsed_mover', name: 'Parsed Mover', strategy: 'rls' });
    await tenancy.queryAs('parsed_mover', 'insert into notes (body) values ($1)', ['kept'], { role: 'admin' });
    const summary = await tenancy.moveTenant('parsed_mover', { strategy: 'schema' });
    expect(summary).toMatchObject({ from: 'rls', to: 'schema', rows: 1 });
    const { rows } = await tenancy.queryAs<{ body: string }>('parsed_mover', 'select body from notes');
    expect(rows).toEqual([{ body: 'kept' }]);
  });
});
