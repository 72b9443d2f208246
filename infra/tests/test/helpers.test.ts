import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { escapingSymlinks } from '../src/app-image';
import { localIni } from '../src/pgbouncer';
import { mapValue, type Network } from '../src/network';

// The pieces of the parity suites that decide what "the same as Docker" means; each must refuse what it cannot map.

const network: Network = {
  postgres: { containerPort: 5432, publishedPort: 5433, localPort: 40001 },
  pgbouncer: { containerPort: 6432, publishedPort: 6432, localPort: 40002 },
  web: { containerPort: 3000, publishedPort: 3000, localPort: 40003 },
};
const names = ['postgres', 'pgbouncer', 'web', 'admin'];

describe('the network stand-in', () => {
  test('maps service addresses and published ports, and nothing else', () => {
    expect(mapValue('postgresql://app_user:pw@pgbouncer:6432/saas', network, names)).toBe('postgresql://app_user:pw@127.0.0.1:40002/saas');
    expect(mapValue('postgresql://postgres:pw@postgres:5432/saas', network, names)).toBe('postgresql://postgres:pw@127.0.0.1:40001/saas');
    expect(mapValue('http://localhost:3000', network, names)).toBe('http://127.0.0.1:40003');
    expect(mapValue('http://localhost:9999', network, names)).toBe('http://localhost:9999');
    expect(mapValue('pgbouncer-transaction', network, names)).toBe('pgbouncer-transaction');
    expect(mapValue('/data/archives', network, names)).toBe('/data/archives');
  });

  test('refuses what it cannot map', () => {
    expect(() => mapValue('postgresql://u:p@postgres:6543/saas', network, names)).toThrow(/not the port/);
    expect(() => mapValue('postgresql://u:p@admin:3001/saas', network, names)).toThrow(/does not run/);
    expect(() => mapValue('host=postgres:5432', network, names)).toThrow(/outside a URL/);
  });
});

describe('the local pgbouncer.ini', () => {
  test('changes only the server address, the listen port and the auth file', () => {
    const ini = [
      '[databases]',
      '* = host=postgres port=5432 auth_user=pgbouncer_auth',
      '[pgbouncer]',
      'listen_addr = *',
      'listen_port = 6432',
      'auth_file = /etc/pgbouncer/userlist.txt',
      'pool_mode = transaction',
      '',
    ].join('\n');
    const local = localIni(ini, network, { port: 41000, authFile: '/tmp/x/userlist.txt' });
    expect(local.ini).toBe(
      [
        '[databases]',
        '* = host=127.0.0.1 port=40001 auth_user=pgbouncer_auth',
        '[pgbouncer]',
        'listen_addr = *',
        'listen_port = 41000',
        'auth_file = /tmp/x/userlist.txt',
        'pool_mode = transaction',
        '',
      ].join('\n'),
    );
    expect(local.substitutions).toHaveLength(3);
    expect(() => localIni('* = host=elsewhere port=5432', network, { port: 1, authFile: '/x' })).toThrow(/does not run/);
  });
});

describe('escapingSymlinks', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test('accepts links that stay inside the copied folder; reports links out of it, absolute links and dangling links', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'infra-links-'));
    dirs.push(dir);
    const root = path.join(dir, 'app');
    await mkdir(path.join(root, 'node_modules', 'pg'), { recursive: true });
    await mkdir(path.join(root, 'apps', 'web', '.next', 'node_modules'), { recursive: true });
    await writeFile(path.join(dir, 'outside.js'), '');
    // What Turbopack writes for an external package (vercel/next.js#87737): fine while the layout is kept.
    await symlink('../../../../node_modules/pg', path.join(root, 'apps', 'web', '.next', 'node_modules', 'pg-587764f78a6c7a9c'));
    await symlink('../../outside.js', path.join(root, 'apps', 'out.js'));
    await symlink(path.join(root, 'node_modules', 'pg'), path.join(root, 'apps', 'absolute'));
    await symlink('../../../node_modules/pino', path.join(root, 'apps', 'web', 'pino-28069d5257187539'));
    const bad = await escapingSymlinks(root);
    expect(bad.sort()).toEqual([
      `apps/absolute -> ${path.join(root, 'node_modules', 'pg')}`,
      'apps/out.js -> ../../outside.js',
      'apps/web/pino-28069d5257187539 -> ../../../node_modules/pino (dangling)',
    ]);
  });
});
