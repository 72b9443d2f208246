import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { blankText, databaseState, edgySlug, hostileText, hugeText, invalidSlug, propertyParams, wrongType } from '@repo/properties';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidTenantSlugError, SLUG_PATTERN, STRATEGIES, TenancyConfigError, TenantNotFoundError, type Tenancy } from '../src/index';
import { useTenancy } from './support';

// Every call that takes a tenant key, fed keys that are not slugs, slugs nobody created, and tenant names and
// strategies of every kind: a refusal is the library's typed error naming the problem, and leaves the catalog, the
// schemas, roles and databases exactly as they were; valid input round-trips.

const suite = useTenancy('slugprops');
const dir = mkdtempSync(path.join(os.tmpdir(), 'slug-props-'));

async function state(): Promise<string> {
  const { admin, tenancy } = suite();
  return databaseState(admin, ['tenancy.tenants', 'public.notes'], tenancy.config.namePrefix);
}

/** Every public call that takes a tenant key, with harmless other arguments. */
function keyedCalls(tenancy: Tenancy): Record<string, (key: string) => Promise<unknown>> {
  return {
    getTenant: (key) => tenancy.getTenant(key),
    withTenant: (key) => tenancy.withTenant(key, (tx) => tx.query('SELECT 1'), { role: 'viewer' }),
    withControlPlane: (key) => tenancy.withControlPlane(key, (tx) => tx.query('SELECT 1'), { role: 'viewer' }),
    queryAs: (key) => tenancy.queryAs(key, 'SELECT 1'),
    deleteTenant: (key) => tenancy.deleteTenant(key, { archive: false }),
    moveTenant: (key) => tenancy.moveTenant(key, 'schema'),
    exportTenant: (key) => tenancy.exportTenant(key, path.join(dir, 'never.tar.gz')),
  };
}

async function refusal(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error('the call was not refused');
}

describe('tenant keys, names and strategies (properties)', () => {
  it('a key that is neither a slug nor a uuid is refused by every keyed call with InvalidTenantSlugError, changing nothing', async () => {
    const { tenancy } = suite();
    const before = await state();
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: invalidSlug() }, { weight: 1, arbitrary: wrongType() }), async (key) => {
        for (const [name, call] of Object.entries(keyedCalls(tenancy))) {
          const error = await refusal(() => call(key as string));
          expect(error, name).toBeInstanceOf(InvalidTenantSlugError);
          expect((error as Error).message, name).toContain('Invalid tenant slug');
          expect((error as Error).message, name).toContain(SLUG_PATTERN.source);
          // One readable line, however long the key: a megabyte of input must not become a megabyte of log.
          expect((error as Error).message.length, name).toBeLessThan(400);
        }
        const created = await refusal(() => tenancy.createTenant({ slug: key as string, name: 'Name', strategy: 'rls' }));
        expect(created).toBeInstanceOf(InvalidTenantSlugError);
      }),
      propertyParams(40),
    );
    expect(await state()).toBe(before);
  });

  it('a valid slug nobody created is TenantNotFoundError for every keyed call, changing nothing', async () => {
    const { tenancy } = suite();
    const before = await state();
    await fc.assert(
      fc.asyncProperty(edgySlug(), async (slug) => {
        for (const [name, call] of Object.entries(keyedCalls(tenancy))) {
          const error = await refusal(() => call(slug));
          expect(error, name).toBeInstanceOf(TenantNotFoundError);
          expect((error as Error).message, name).toContain(`"${slug}"`);
        }
      }),
      propertyParams(15),
    );
    expect(await state()).toBe(before);
  });

  it('a tenant name that is empty, blank, over 200 characters or holds a NUL byte or a lone surrogate, or a strategy not in STRATEGIES, is TenancyConfigError, changing nothing', async () => {
    const { tenancy } = suite();
    const before = await state();
    const badName = fc.oneof(
      blankText(),
      hugeText(),
      fc.string({ minLength: 201, maxLength: 400 }).filter((s) => s.trim().length > 200),
      fc.tuple(hostileText(), hostileText()).map(([a, b]) => `${a}\u0000${b}`),
      fc.tuple(hostileText(), fc.constantFrom('\ud83d', '\udc00', '\udfff\ud800'), hostileText()).map(([a, half, b]) => `${a}${half}${b}`),
      wrongType(),
    );
    const badStrategy = fc.oneof(
      hostileText().filter((s) => !(STRATEGIES as readonly string[]).includes(s)),
      fc.constantFrom('RLS', 'Schema', 'rls ', 'sсhema', 'database;', 'pool'),
      wrongType(),
    );
    await fc.assert(
      fc.asyncProperty(
        edgySlug(),
        fc.oneof(
          badName.map((name) => ({ name, strategy: 'rls' as unknown })),
          badStrategy.map((strategy) => ({ name: 'Fine', strategy })),
        ),
        async (slug, { name, strategy }) => {
          const error = await refusal(() => tenancy.createTenant({ slug, name: name as string, strategy: strategy as 'rls' }));
          expect(error).toBeInstanceOf(TenancyConfigError);
          expect((error as Error).message).toMatch(/name|strategy/);
        },
      ),
      propertyParams(40),
    );
    expect(await state()).toBe(before);
  });

  it('any valid slug and name round-trip: createTenant, then getTenant by slug and by id, give them back as given', async () => {
    const { tenancy } = suite();
    const name = fc
      .oneof(hostileText(), fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }))
      .filter((s) => s.trim().length > 0 && s.trim().length <= 200 && !s.includes('\u0000') && Buffer.from(s, 'utf8').toString('utf8') === s);
    await fc.assert(
      fc.asyncProperty(edgySlug(), name, fc.constantFrom(...STRATEGIES.filter((s) => s !== 'database')), async (slug, given, strategy) => {
        const made = await tenancy.createTenant({ slug, name: given, strategy });
        try {
          for (const key of [slug, made.id]) {
            const got = await tenancy.getTenant(key);
            expect({ slug: got.slug, name: got.name, strategy: got.strategy, status: got.status }).toEqual({
              slug,
              name: given.trim(),
              strategy,
              status: 'active',
            });
          }
          const seen = await tenancy.withTenant(
            slug,
            async (tx) => (await tx.query<{ id: string }>('SELECT tenancy.current_tenant_id()::text AS id')).rows[0]!.id,
            {
              role: 'viewer',
            },
          );
          expect(seen).toBe(made.id);
        } finally {
          await tenancy.deleteTenant(slug, { archive: false });
        }
      }),
      propertyParams(6),
    );
  });
});
