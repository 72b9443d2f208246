import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pgbouncerIni } from '@repo/tenancy/pgbouncer';
import { describe, expect, it } from 'vitest';
import { json, runCli } from './support';

const PASSWORD = 'cli-test-pgbouncer-auth-password';
const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'cli-pgbouncer-'));

describe('pgbouncer-config', () => {
  it('prints exactly the ini the library generates for the options given', async () => {
    const result = await runCli(['pgbouncer-config', '--pool-mode', 'transaction', '--listen-addr', '*', '--default-pool-size', '30']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(pgbouncerIni({ poolMode: 'transaction', listenAddr: '*', defaultPoolSize: 30, authFile: '/etc/pgbouncer/userlist.txt' }));
    expect(result.stdout).toMatch(/^\* = host=127\.0\.0\.1 port=5432 auth_user=pgbouncer_auth$/m);
  });

  it("takes the pool mode from TENANCY_POOLER and the server from ADMIN_DATABASE_URL, as the deployment's", async () => {
    const result = await runCli(['pgbouncer-config', '--json'], {
      TENANCY_POOLER: 'pgbouncer-session',
      ADMIN_DATABASE_URL: 'postgres://owner:secret@db.internal:6543/app',
    });
    expect(result.code, result.stderr).toBe(0);
    const { ini } = json<{ ini: string }>(result);
    expect(ini).toMatch(/^\* = host=db\.internal port=6543 auth_user=pgbouncer_auth$/m);
    expect(ini).toMatch(/^pool_mode = session$/m);
    expect(ini).toMatch(/^server_reset_query = DISCARD ALL$/m);
    expect(ini).not.toContain('secret');
  });

  it('--out and --userlist write the ini and the auth file (0600), the ini naming that auth file', async () => {
    const dir = tmp();
    const ini = path.join(dir, 'etc', 'pgbouncer.ini');
    const userlist = path.join(dir, 'etc', 'userlist.txt');
    const result = await runCli(['pgbouncer-config', '--pool-mode', 'transaction', '--out', ini, '--userlist', userlist], {
      PGBOUNCER_AUTH_PASSWORD: PASSWORD,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(readFileSync(ini, 'utf8')).toMatch(new RegExp(`^auth_file = ${userlist.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(readFileSync(userlist, 'utf8')).toBe(`"pgbouncer_auth" "${PASSWORD}"\n`);
    expect(statSync(userlist).mode & 0o777).toBe(0o600);
    expect(result.stdout).not.toContain(PASSWORD);
  });

  it.each([
    ['no pool mode anywhere', [], {}, /--pool-mode session\|transaction/],
    ['an unknown pool mode', ['--pool-mode', 'statement'], {}, /Allowed choices are session, transaction/],
    ['a port out of range', ['--pool-mode', 'session', '--listen-port', '99999'], {}, /--listen-port must be at most 65535/],
    ['a relative auth file', ['--pool-mode', 'session', '--auth-file', 'userlist.txt'], {}, /authFile: must be an absolute path/],
    ['a listen address that would break the ini', ['--pool-mode', 'session', '--listen-addr', '1.2.3.4\nadmin_users = x'], {}, /listenAddr: must be/],
    ['--userlist without PGBOUNCER_AUTH_PASSWORD', ['--pool-mode', 'session', '--userlist', 'USERLIST'], {}, /--userlist needs PGBOUNCER_AUTH_PASSWORD/],
  ] as const)('%s: exit 2, nothing written', async (_, args, env, message) => {
    const dir = tmp();
    const out = path.join(dir, 'pgbouncer.ini');
    const userlist = path.join(dir, 'userlist.txt');
    const result = await runCli(['pgbouncer-config', ...args.map((a) => (a === 'USERLIST' ? userlist : a)), '--out', out], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(userlist)).toBe(false);
  });
});
