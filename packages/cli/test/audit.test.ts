import type { AuditReport } from '@repo/tenancy';
import { describe, expect, it } from 'vitest';
import { json, useCliSuite } from './support';

const suite = useCliSuite('audit');

describe('audit', () => {
  it('a deployment as setup and create leave it: no findings, exit 0', async () => {
    const { cli, slug } = suite();
    expect((await cli(['create', '--slug', slug('clean'), '--name', 'Clean', '--strategy', 'schema'])).code).toBe(0);
    const result = await cli(['audit']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^No findings: \d+ placement\(s\) checked\.$/m);
    expect(result.code).toBe(0);
  });

  it('a CREATE grant to the app role on the shared schema: reported, exit 3; revoked: exit 0 again', async () => {
    const { cli, admin } = suite();
    await admin.query('grant create on schema public to app_user');
    try {
      const found = await cli(['audit', '--json']);
      expect(found.code).toBe(3);
      const report = json<AuditReport>(found);
      expect(report.findings).toEqual([expect.objectContaining({ code: 'create-privilege', severity: 'high', object: expect.stringMatching(/\.public$/) })]);

      const table = await cli(['audit']);
      expect(table.code).toBe(3);
      expect(table.stdout).toMatch(/^SEVERITY\s+CODE\s+OBJECT\s+TENANT\s+WHAT TO DO$/m);
      expect(table.stdout).toMatch(/^high\s+create-privilege\s+\S+\.public\s+-\s+.*REVOKE CREATE ON SCHEMA/m);
      expect(table.stdout).toMatch(/^1 finding\(s\) in \d+ placement\(s\)\.$/m);
    } finally {
      await admin.query('revoke create on schema public from app_user');
    }
    const clean = await cli(['audit', '--json']);
    expect(clean.code).toBe(0);
    expect(json<AuditReport>(clean).findings).toEqual([]);
  });
});
