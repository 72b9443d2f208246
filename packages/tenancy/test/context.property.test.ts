import { randomUUID } from 'node:crypto';
import { databaseState, hostileText, hugeText, longIdentifier, propertyParams, wrongType } from '@repo/properties';
import fc from 'fast-check';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { TenantContextError } from '../src/index';
import { CONTEXT_SETTING } from '../src/setup/context-functions';
import { APP_PASSWORD, roleUrl, useTenancy } from './support';

// The context a request carries: the role and user id given to withTenant, and the token the database verifies.
// A role or user id the token cannot carry is TenantContextError before anything runs; a valid one reads back as
// given. Whatever string stands in the context setting that the library did not sign, the database sees no tenant,
// no user, no role and no row.

const suite = useTenancy('ctxprops');
const ROLE = /^[a-z][a-z0-9_]{0,31}$/;
let slug: string;
let tenantId: string;

beforeAll(async () => {
  const { tenancy } = suite();
  const tenant = await tenancy.createTenant({ slug: 'ctx_props', name: 'Context', strategy: 'rls' });
  ({ slug, id: tenantId } = tenant);
  await tenancy.withTenant(slug, (tx) => tx.query("INSERT INTO notes (body) VALUES ('marker')"), { role: 'admin' });
});

async function state(): Promise<string> {
  const { admin, tenancy } = suite();
  return databaseState(admin, ['tenancy.tenants', 'public.notes'], tenancy.config.namePrefix);
}

const badRole = fc.oneof(
  hostileText().filter((s) => !ROLE.test(s)),
  longIdentifier(),
  hugeText(),
  fc.constantFrom('', ' ', 'Admin', 'аdmin', 'admin;', "admin'", 'admin\u0000', 'admin\u200b', 'a'.repeat(33)),
  wrongType().filter((v) => !(typeof v === 'string' && ROLE.test(v))),
);
const badUserId = fc
  .oneof(
    hostileText(),
    fc.uuid().map((id) => `${id};`),
    fc.uuid().map((id) => `'${id}'`),
    fc.uuid().map((id) => id.replace(/-/g, '')),
    fc.uuid().map((id) => id.replace(/a/g, 'а')),
    fc.uuid().map((id) => `${id}\u0000`),
    hugeText(),
    fc.constantFrom(null, 0, 1, true, {}, [randomUUID()]),
  )
  .filter((v) => !(typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)));

describe('the tenant context (properties)', () => {
  it('a role or userId a context token cannot carry is TenantContextError naming it, before the callback runs; nothing changes', async () => {
    const { tenancy } = suite();
    const before = await state();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          badRole.map((role) => ({ role, userId: undefined as unknown })),
          badUserId.map((userId) => ({ role: 'member' as unknown, userId })),
        ),
        async (options) => {
          let ran = false;
          const calls = [
            () =>
              tenancy.withTenant(
                slug,
                async (tx) => {
                  ran = true;
                  await tx.query("INSERT INTO notes (body) VALUES ('must not land')");
                },
                options as { role: string },
              ),
            () => tenancy.queryAs(slug, "INSERT INTO notes (body) VALUES ('must not land')", [], options as { role: string }),
          ];
          for (const call of calls) {
            const error = await call().then(
              () => undefined,
              (e: unknown) => e,
            );
            expect(error).toBeInstanceOf(TenantContextError);
            expect((error as Error).message).toMatch(options.userId === undefined ? /role/ : /userId/);
            expect((error as Error).message.length).toBeLessThan(400);
          }
          expect(ran).toBe(false);
        },
      ),
      propertyParams(60),
    );
    expect(await state()).toBe(before);
  });

  it('withTenant without options is TenantContextError, not a TypeError', async () => {
    const { tenancy } = suite();
    for (const options of [undefined, null, {}]) {
      const error = await tenancy.withTenant(slug, async () => 1, options as unknown as { role: string }).catch((e: unknown) => e);
      expect(error, String(options)).toBeInstanceOf(TenantContextError);
    }
  });

  it('a valid role and userId read back in the database as given', async () => {
    const { tenancy } = suite();
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(ROLE), fc.option(fc.uuid(), { nil: undefined }), async (role, userId) => {
        const seen = await tenancy.withTenant(
          slug,
          async (tx) =>
            (
              await tx.query<{ t: string; u: string | null; r: string }>(
                'SELECT tenancy.current_tenant_id()::text AS t, tenancy.current_user_id()::text AS u, tenancy.current_app_role() AS r',
              )
            ).rows[0]!,
          { role, userId },
        );
        expect(seen).toEqual({ t: tenantId, u: userId?.toLowerCase() ?? null, r: role });
      }),
      propertyParams(30),
    );
  });

  it('any context string the library did not sign gives no tenant, user, role or row as the app role', async () => {
    const { db, tenancy } = suite();
    const token = await tenancy.withTenant(
      slug,
      async (tx) => (await tx.query<{ v: string }>('SELECT current_setting($1) AS v', [CONTEXT_SETTING])).rows[0]!.v,
      {
        role: 'admin',
        userId: randomUUID(),
      },
    );
    const other = randomUUID();
    const forged = fc.oneof(
      hostileText(),
      fc.string({ maxLength: 300 }),
      // The real token, changed: a claim swapped, a character flipped, cut short, lengthened, its case changed.
      fc.constant(token.replace(tenantId, other)),
      fc.constant(token.replace('.admin.', '.owner.')),
      fc.nat({ max: token.length - 1 }).chain((i) =>
        fc
          .constantFrom('0', 'f', 'а', '.', "'", ' ')
          .filter((c) => c !== token[i])
          .map((c) => token.slice(0, i) + c + token.slice(i + 1)),
      ),
      fc.nat({ max: token.length - 1 }).map((i) => token.slice(0, i)),
      hostileText()
        .filter((s) => s.length > 0)
        .map((s) => token + s),
      fc.constant(token.toUpperCase()),
      fc.constant(`v1.${tenantId}.-.admin.99999999999.${'0'.repeat(64)}`),
    );
    const app = new pg.Client({ connectionString: roleUrl(db.url, 'app_user', APP_PASSWORD) });
    await app.connect();
    try {
      await fc.assert(
        fc.asyncProperty(forged, async (value) => {
          // The setting cannot hold a NUL byte at all: the server refuses it, and then there is nothing to read.
          if (value.includes('\u0000')) return;
          await app.query('BEGIN');
          try {
            await app.query('SELECT set_config($1, $2, true)', [CONTEXT_SETTING, value]);
            // A token whose expiry is no number fails the cast in the context functions (22P02): the transaction ends with
            // an error and sees nothing, which is as closed as seeing no tenant.
            const seen = await app
              .query<{ t: string | null; u: string | null; r: string | null; n: number }>(
                'SELECT tenancy.current_tenant_id()::text AS t, tenancy.current_user_id()::text AS u, tenancy.current_app_role() AS r, (SELECT count(*)::int FROM notes) AS n',
              )
              .then(
                ({ rows }) => rows[0],
                (error: { code?: string }) => {
                  if (error.code !== '22P02') throw error;
                  return undefined;
                },
              );
            if (seen) expect(seen).toEqual({ t: null, u: null, r: null, n: 0 });
          } finally {
            await app.query('ROLLBACK');
          }
        }),
        propertyParams(80),
      );
      // The unchanged token does open the tenant: the property above is not vacuous.
      await app.query('BEGIN');
      await app.query('SELECT set_config($1, $2, true)', [CONTEXT_SETTING, token]);
      const { rows } = await app.query<{ n: number }>('SELECT count(*)::int AS n FROM notes');
      await app.query('ROLLBACK');
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await app.end();
    }
  });
});
