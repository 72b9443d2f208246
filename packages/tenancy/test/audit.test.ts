import { beforeAll, describe, expect, it } from 'vitest';
import { createTenancy, type Finding } from '../src/index.js';
import { baseConfig, roleUrl, useTenancy } from './support.js';

const suite = useTenancy('audit');
const codes = (findings: Finding[]) => findings.map((f) => `${f.code}:${f.object}`);

describe('audit()', () => {
  beforeAll(async () => {
    const { tenancy } = suite();
    for (const strategy of ['rls', 'schema', 'database'] as const) {
      for (const n of [1, 2]) await tenancy.createTenant({ slug: `aud_${strategy}_${n}`, name: `${strategy} ${n}`, strategy });
    }
  });

  it('finds nothing on a deployment set up by the library', async () => {
    const report = await suite().tenancy.audit();
    expect(report.findings).toEqual([]);
    expect(report.placements).toBe(1 + 2 + 2);
  });

  it('reports each weakness introduced, by severity, and nothing once it is undone', async () => {
    const { tenancy, admin } = suite();
    const schemaTenant = await tenancy.getTenant('aud_schema_1');
    const other = await tenancy.getTenant('aud_schema_2');
    const dbTenant = await tenancy.getTenant('aud_database_1');
    const breakages: [string, string, string][] = [
      ['alter table public.notes no force row level security', 'alter table public.notes force row level security', 'rls-not-forced:public.notes'],
      [`alter table "${schemaTenant.schemaName}".notes disable row level security`, `alter table "${schemaTenant.schemaName}".notes enable row level security`, `rls-disabled:${schemaTenant.schemaName}.notes`],
      ['grant select on tenancy.context_key to app_user', 'revoke select on tenancy.context_key from app_user', 'context-key-readable:tenancy.context_key'],
      ['grant create on schema public to public', 'revoke create on schema public from public', 'public-create:public'],
      [`grant usage on schema "${other.schemaName}" to "${schemaTenant.roleName}"`, `revoke usage on schema "${other.schemaName}" from "${schemaTenant.roleName}"`, `cross-schema-access:${other.schemaName}`],
      [`grant connect on database "${dbTenant.databaseName}" to public`, `revoke connect on database "${dbTenant.databaseName}" from public`, `database-connect-public:${dbTenant.databaseName}`],
      [
        'create policy leaky on public.notes as permissive for select using (tenant_id = tenancy.current_tenant_id())',
        'drop policy leaky on public.notes',
        'context-per-row:public.notes',
      ],
    ];
    for (const [breakIt] of breakages) await admin.query(breakIt);
    try {
      const report = await tenancy.audit();
      for (const [, , expected] of breakages) expect(codes(report.findings)).toContain(expected);
      const severities = report.findings.map((f) => f.severity);
      expect(severities).toEqual([...severities].sort((a, b) => ['critical', 'high', 'medium', 'low'].indexOf(a) - ['critical', 'high', 'medium', 'low'].indexOf(b)));
      expect(report.findings.find((f) => f.code === 'context-key-readable')!.severity).toBe('critical');
    } finally {
      for (const [, undo] of [...breakages].reverse()) await admin.query(undo);
    }
    expect((await tenancy.audit()).findings).toEqual([]);
  });

  it('flags a runtime role that bypasses row-level security', async () => {
    const { db, admin } = suite();
    const role = `${suite().tenancy.config.namePrefix}bypass`;
    await admin.query(`create role "${role}" login bypassrls password 'pw'`);
    const tenancy = createTenancy({ ...baseConfig(db), namePrefix: suite().tenancy.config.namePrefix, appUrl: roleUrl(db.url, role, 'pw') });
    try {
      const report = await tenancy.audit();
      expect(codes(report.findings)).toContain(`runtime-role-bypassrls:${role}`);
    } finally {
      await tenancy.close();
      await admin.query(`drop role "${role}"`);
    }
  });
});

