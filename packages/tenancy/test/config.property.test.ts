import { blankText, hostileText, hugeText, longIdentifier, propertyParams, wrongType } from '@repo/properties';
import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTenancy, TenancyConfigError, type TenancyConfigInput } from '../src/index';
import { FIXTURE_MIGRATIONS } from './support';

// createTenancy's config, one field at a time: a value the field does not take is TenancyConfigError naming that
// field (the library connects nowhere before it has a valid config); a value it takes comes back in tenancy.config.

const valid: TenancyConfigInput = {
  adminUrl: 'postgres://owner:pw@127.0.0.1:5432/app',
  appUrl: 'postgres://app_user:pw@127.0.0.1:5432/app',
  contextSecret: 'x'.repeat(32),
  migrationsFolder: FIXTURE_MIGRATIONS,
  tenantTables: ['notes'],
  contextRoles: { maintenance: 'admin', default: 'viewer' },
};

const notAnInt = fc.oneof(
  fc.constantFrom(0.5, Number.NaN, Number.POSITIVE_INFINITY, -Number.MAX_VALUE, '10', null, true, [], {}),
  fc.double({ noInteger: true }),
);
const intBelow = (min: number) => fc.oneof(notAnInt, fc.integer({ max: min - 1 }));
const identifierLike = fc.oneof(hostileText(), longIdentifier(), blankText(), fc.constantFrom('Public', 'pub lic', 'pubäic', '1abc', 'a-b', 'а'), wrongType());
const badUrl = fc.oneof(
  hostileText(),
  blankText(),
  hugeText(),
  wrongType(),
  hostileText().map((s) => `mysql://${s}`),
  fc.constantFrom('postgres://', 'postgres:// host', 'postgresql:/x', 'POSTGRES://h/db', 'postgres://h:99999999/db', 'postgres://[::1/db'),
);

/** For each field, values it must refuse. */
const BAD: Record<string, fc.Arbitrary<unknown>> = {
  appUrl: badUrl,
  adminUrl: badUrl.filter((v) => v !== undefined),
  operatorUrl: badUrl.filter((v) => v !== undefined),
  contextSecret: fc.oneof(
    fc.string({ maxLength: 31 }),
    wrongType().filter((v) => typeof v !== 'string'),
  ),
  migrationsFolder: fc.oneof(
    hostileText().map((s) => `/no/such/folder/${s}`),
    wrongType().filter((v) => v !== undefined),
  ),
  tenantTables: fc.oneof(
    fc.constant([]),
    fc.array(
      identifierLike.filter((v) => !(typeof v === 'string' && /^[a-z_][a-z0-9_]{0,30}$/.test(v))),
      { minLength: 1, maxLength: 3 },
    ),
    // ['a'] is a valid list of tables.
    wrongType().filter((v) => !Array.isArray(v)),
  ),
  sharedSchema: identifierLike.filter((v) => v !== undefined && !(typeof v === 'string' && /^[a-z_][a-z0-9_]{0,30}$/.test(v))),
  namePrefix: fc
    .oneof(identifierLike, fc.stringMatching(/^[a-z][a-z0-9_]{15,40}$/))
    .filter((v) => v !== undefined && !(typeof v === 'string' && /^[a-z][a-z0-9_]{0,14}$/.test(v))),
  maxConnections: intBelow(1),
  perTenantPoolSize: intBelow(1),
  appPoolSize: intBelow(1),
  contextTtlSeconds: fc.oneof(intBelow(10), fc.integer({ min: 86_401 })),
  catalogCacheMs: intBelow(0),
  catalogCacheSize: intBelow(1),
  idleTimeoutMs: intBelow(100),
  movePauseLimitMs: intBelow(100),
  contextRoles: fc.oneof(
    wrongType(),
    identifierLike.filter((v) => !(typeof v === 'string' && /^[a-z][a-z0-9_]{0,31}$/.test(v))).map((role) => ({ maintenance: role, default: 'viewer' })),
    identifierLike.filter((v) => !(typeof v === 'string' && /^[a-z][a-z0-9_]{0,31}$/.test(v))).map((role) => ({ maintenance: 'admin', default: role })),
  ),
  pooler: fc.oneof(
    wrongType().filter((v) => v !== undefined),
    hostileText().map((kind) => ({ kind })),
    hostileText().map((mode) => ({ kind: 'pgbouncer', mode })),
    identifierLike
      .filter((v) => v !== undefined && !(typeof v === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(v)))
      .map((authUser) => ({ kind: 'pgbouncer', mode: 'transaction', authUser })),
    fc.string({ maxLength: 7 }).map((authPassword) => ({ kind: 'pgbouncer', mode: 'session', authPassword })),
  ),
  secrets: wrongType().filter((v) => v !== undefined),
  beforeStep: wrongType().filter((v) => v !== undefined && typeof v !== 'function'),
  clientClass: wrongType().filter((v) => v !== undefined && typeof v !== 'function'),
};

describe('createTenancy config (properties)', () => {
  it('a value a field does not take is TenancyConfigError naming the field', () => {
    const field = fc.constantFrom(...Object.keys(BAD)).chain((name) => BAD[name]!.map((value) => ({ name, value })));
    fc.assert(
      fc.property(field, ({ name, value }) => {
        let error: unknown;
        try {
          createTenancy({ ...valid, [name]: value } as TenancyConfigInput);
        } catch (e) {
          error = e;
        }
        expect(error, `${name} = ${JSON.stringify(value)?.slice(0, 80)}`).toBeInstanceOf(TenancyConfigError);
        expect((error as Error).message).toContain(`  ${name}`);
      }),
      propertyParams(300),
    );
  });

  it('every URL the config takes is one the driver can read', () => {
    // What the schema lets through must not fail later, at the first connection, with the driver's own error.
    const url = fc.oneof(
      hostileText().map((s) => `postgres://${s}`),
      fc.tuple(hostileText(), hostileText()).map(([user, db]) => `postgresql://${user}@127.0.0.1:5432/${db}`),
      fc.webUrl().map((u) => u.replace(/^https?/, 'postgres')),
    );
    fc.assert(
      fc.property(url, (appUrl) => {
        let accepted = true;
        try {
          createTenancy({ ...valid, appUrl });
        } catch (error) {
          expect(error).toBeInstanceOf(TenancyConfigError);
          accepted = false;
        }
        // pg.Client reads its connection string when it is made (pg.Pool only when it connects).
        if (accepted) expect(() => new pg.Client({ connectionString: appUrl })).not.toThrow();
      }),
      propertyParams(300),
    );
  });

  it('values a field takes come back as given in tenancy.config', async () => {
    const values = fc.record({
      maxConnections: fc.integer({ min: 1, max: 10_000 }),
      perTenantPoolSize: fc.integer({ min: 1, max: 100 }),
      appPoolSize: fc.integer({ min: 1, max: 1000 }),
      contextTtlSeconds: fc.integer({ min: 10, max: 86_400 }),
      catalogCacheMs: fc.integer({ min: 0, max: 1_000_000 }),
      catalogCacheSize: fc.integer({ min: 1, max: 10_000_000 }),
      idleTimeoutMs: fc.integer({ min: 100, max: 10_000_000 }),
      namePrefix: fc.stringMatching(/^[a-z][a-z0-9_]{0,14}$/),
      sharedSchema: fc.stringMatching(/^[a-z_][a-z0-9_]{0,30}$/),
      tenantTables: fc.array(fc.stringMatching(/^[a-z_][a-z0-9_]{0,30}$/), { minLength: 1, maxLength: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(values, async (given) => {
        const tenancy = createTenancy({ ...valid, ...given });
        try {
          expect(tenancy.config).toMatchObject(given);
        } finally {
          await tenancy.close();
        }
      }),
      propertyParams(50),
    );
  });
});
