import { propertyParams } from '@repo/properties';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { useTenancy } from './support';

// PostgreSQL cuts identifiers at 63 bytes without an error. With the longest prefix (15 characters) and the longest
// slugs (48), two tenants whose slugs agree on all but their last character must still get their own schema, role
// and database, each named in full: nothing may collide silently.

const suite = useTenancy('placenames', (base) => ({ namePrefix: `${(base.namePrefix ?? 't_').replace(/_$/, '')}xxxxxxxxxxxxxxx`.slice(0, 14) + '_' }));

describe('placement names at the 63-byte limit (properties)', () => {
  it('two 48-character slugs that differ only in their last character get distinct, untruncated placements', async () => {
    const { tenancy, admin } = suite();
    expect(tenancy.config.namePrefix).toHaveLength(15);
    const pair = fc
      .tuple(
        fc.stringMatching(/^[a-z][a-z0-9_]{46}$/),
        fc.uniqueArray(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_'), { minLength: 2, maxLength: 2 }),
      )
      .map(([stem, [x, y]]) => [stem + x, stem + y] as const);
    await fc.assert(
      fc.asyncProperty(pair, fc.constantFrom('schema' as const, 'database' as const), async ([a, b], strategy) => {
        const made = [];
        try {
          for (const slug of [a, b]) made.push(await tenancy.createTenant({ slug, name: slug, strategy }));
          const names = made.map((t) => (strategy === 'schema' ? t.schemaName : t.databaseName));
          for (const [i, t] of made.entries()) {
            expect(Buffer.byteLength(names[i]!)).toBe(63);
            expect(names[i]).toBe(`${tenancy.config.namePrefix}${t.slug}`);
          }
          expect(new Set(names).size).toBe(2);
          const like = `${tenancy.config.namePrefix.replace(/_/g, '\\_')}%`;
          const query =
            strategy === 'schema'
              ? 'SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE $1'
              : 'SELECT datname AS n FROM pg_database WHERE datname LIKE $1';
          const { rows } = await admin.query<{ n: string }>(query, [like]);
          expect(rows.map((r) => r.n).filter((n) => names.includes(n))).toHaveLength(2);
          // Each tenant's rows stay its own.
          for (const slug of [a, b]) await tenancy.withTenant(slug, (tx) => tx.query('INSERT INTO notes (body) VALUES ($1)', [slug]), { role: 'admin' });
          for (const slug of [a, b]) expect((await tenancy.queryAs<{ body: string }>(slug, 'SELECT body FROM notes')).rows).toEqual([{ body: slug }]);
        } finally {
          for (const t of made) await tenancy.deleteTenant(t.slug, { archive: false });
        }
      }),
      propertyParams(2),
    );
  });
});
