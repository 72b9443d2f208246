import { INIT_SQL_DEFAULTS } from '@repo/db/init-sql';
import { createAppTenancy } from '@repo/db/tenancy';
import { describe, expect, it } from 'vitest';
import { CONTEXT_SECRET, json, roleUrl, useCliSuite } from './support';

const suite = useCliSuite('rotate');
const NEW_SECRET = 'cli-test-the-rotated-context-secret-0123456789';

/**
 * Rows of `projects` a tenant request sees from a process signing with `secret` (the web app's path: app_user,
 * signed context), or the error that refused it.
 */
async function seenWith(secret: string, slug: string): Promise<number | string> {
  const { db } = suite();
  const tenancy = createAppTenancy({ appUrl: roleUrl(db.url, 'app_user', INIT_SQL_DEFAULTS.appPassword), contextSecret: secret, catalogCacheMs: 0 });
  try {
    const { rows } = await tenancy.queryAs<{ n: number }>(slug, 'select count(*)::int as n from projects', [], { role: 'admin' });
    return rows[0]!.n;
  } catch (error) {
    return (error as Error).message;
  } finally {
    await tenancy.close();
  }
}

describe('rotate-secret', () => {
  it('makes the secret it runs with the only one: the old one is refused, the new one sees the rows', async () => {
    const { cli, slug, admin } = suite();
    const tenants = [slug('rot_rls'), slug('rot_schema')];
    for (const [s, strategy] of [
      [tenants[0]!, 'rls'],
      [tenants[1]!, 'schema'],
    ] as const) {
      const created = json<{ id: string; schemaName: string }>(await cli(['create', '--slug', s, '--name', s, '--strategy', strategy, '--json']));
      await admin.query(`insert into "${created.schemaName}".projects (tenant_id, name) values ($1, 'one')`, [created.id]);
      expect(await seenWith(CONTEXT_SECRET, s)).toBe(1);
    }

    // A bad overlap is refused before anything changes: the old secret still works.
    const refused = await cli(['rotate-secret', '--overlap', '7200'], { TENANCY_CONTEXT_SECRET: NEW_SECRET });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--overlap must be at most 3600/);
    for (const s of tenants) expect(await seenWith(CONTEXT_SECRET, s)).toBe(1);

    const rotated = await cli(['rotate-secret', '--json'], { TENANCY_CONTEXT_SECRET: NEW_SECRET });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(json<{ databases: number; overlapSeconds: number }>(rotated)).toEqual({ databases: expect.any(Number), overlapSeconds: 0 });
    for (const s of tenants) {
      expect(await seenWith(NEW_SECRET, s)).toBe(1);
      expect([0, expect.stringMatching(/contextSecret is not the deployment's/)]).toContainEqual(await seenWith(CONTEXT_SECRET, s));
    }

    // And back, with an overlap: the secret it replaces keeps working for that long.
    const back = await cli(['rotate-secret', '--overlap', '60']);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toMatch(/tokens of the previous secret verify for 60 s more/);
    for (const s of tenants) {
      expect(await seenWith(CONTEXT_SECRET, s)).toBe(1);
      expect(await seenWith(NEW_SECRET, s)).toBe(1);
    }
  });
});
