import { readFileSync } from 'node:fs';
import { pgbouncerUserlist } from '@repo/tenancy/pgbouncer';
import { describe, expect, test } from 'vitest';
import { AUTH_INIT_SQL_FILE, PGBOUNCER_INI_FILE, PGBOUNCER_INPUT, renderAuthInitSql, renderPgBouncerIni } from '../../../infra/docker/generate';
import { renderUserlist } from '../src/pgbouncer';

const REGENERATE = 'regenerate with `npm run docker:config -w @repo/infra-tests`';

describe('infra/docker generated files', () => {
  test('pgbouncer/pgbouncer.ini is what the generator renders', () => {
    expect(readFileSync(PGBOUNCER_INI_FILE, 'utf8'), `pgbouncer.ini is stale: ${REGENERATE}`).toBe(renderPgBouncerIni());
  });

  test('postgres/10-pgbouncer-auth.sql is what the generator renders, and holds no password or verifier', () => {
    const sql = readFileSync(AUTH_INIT_SQL_FILE, 'utf8');
    expect(sql, `10-pgbouncer-auth.sql is stale: ${REGENERATE}`).toBe(renderAuthInitSql());
    expect(sql).not.toMatch(/SCRAM-SHA-256\$/);
    expect(sql).toContain('\\getenv pgbouncer_auth_password PGBOUNCER_AUTH_PASSWORD');
  });

  test('the ini listens on every interface, in transaction mode, with auth_query and no unix socket', () => {
    const ini = readFileSync(PGBOUNCER_INI_FILE, 'utf8');
    expect(ini).toMatch(/^listen_addr = \*$/m);
    expect(ini).toMatch(/^pool_mode = transaction$/m);
    expect(ini).toMatch(/^auth_query = SELECT usename, passwd FROM pgbouncer\.get_auth\(\$1\)$/m);
    expect(ini).toMatch(/^\* = host=postgres port=5432 auth_user=pgbouncer_auth$/m);
    expect(ini).toMatch(/^unix_socket_dir = $/m);
  });

  test("the container's entrypoint writes the same auth file as the generator, quotes included", async () => {
    const ini = readFileSync(PGBOUNCER_INI_FILE, 'utf8');
    for (const password of ['plain-password-123', 'has"quote"s-and-$dollar`tick\\slash']) {
      const written = await renderUserlist(ini, { PGBOUNCER_AUTH_PASSWORD: password });
      expect(written).toBe(pgbouncerUserlist({ ...PGBOUNCER_INPUT, authPassword: password }));
    }
  });

  test('the entrypoint refuses to start without PGBOUNCER_AUTH_PASSWORD', async () => {
    await expect(renderUserlist(readFileSync(PGBOUNCER_INI_FILE, 'utf8'), {})).rejects.toThrow(/PGBOUNCER_AUTH_PASSWORD: is not set/);
  });
});
