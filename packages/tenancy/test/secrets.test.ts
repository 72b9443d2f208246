import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseSecretsProvider, EnvSecretsProvider, FileSecretsProvider, type SecretsProvider } from '../src/index';
import { generatePassword } from '../src/secrets/password';
import { roleUrl, APP_PASSWORD, CONTEXT_SECRET, useTenancy } from './support';

const suite = useTenancy('secrets');

async function roundTrip(provider: SecretsProvider): Promise<void> {
  expect(await provider.get('acme')).toBeUndefined();
  await provider.set('acme', 'first');
  await provider.set('globex', 'other');
  await provider.set('acme', 'second');
  expect(await provider.get('acme')).toBe('second');
  expect(await provider.get('globex')).toBe('other');
  await provider.delete('acme');
  expect(await provider.get('acme')).toBeUndefined();
  expect(await provider.get('globex')).toBe('other');
}

describe('SecretsProvider implementations', () => {
  it('file: round trip, written with mode 0600', async () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'secrets-')), 'secrets.json');
    await roundTrip(new FileSecretsProvider(file));
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('env: reads TENANCY_SECRET_<SLUG>, refuses to invent one', async () => {
    const env = { TENANCY_SECRET_ACME: 'from-env' };
    const provider = new EnvSecretsProvider(env);
    expect(await provider.get('acme')).toBe('from-env');
    await expect(provider.set('acme', 'from-env')).resolves.toBeUndefined();
    await expect(provider.set('globex', 'x')).rejects.toThrow(/set TENANCY_SECRET_GLOBEX/);
  });

  it('database: AES-GCM ciphertext in tenancy.secrets, never the plaintext; a wrong key cannot read it; app_user cannot list or write', async () => {
    const { db, admin } = suite();
    const provider = new DatabaseSecretsProvider({ connectionString: db.url, encryptionKey: 'k'.repeat(32), contextSecret: CONTEXT_SECRET });
    try {
      await roundTrip(provider);
      const secret = generatePassword();
      await provider.set('initech', secret);
      const { rows } = await admin.query(`select encode(ciphertext, 'escape') as c from tenancy.secrets where name = 'initech'`);
      expect(rows[0].c).not.toContain(secret);
      const wrongKey = new DatabaseSecretsProvider({ connectionString: db.url, encryptionKey: 'x'.repeat(32), contextSecret: CONTEXT_SECRET });
      await expect(wrongKey.get('initech')).rejects.toThrow(/unable to authenticate|auth/i);
      await wrongKey.close();
      const asApp = new DatabaseSecretsProvider({
        connectionString: roleUrl(db.url, 'app_user', APP_PASSWORD),
        encryptionKey: 'k'.repeat(32),
        contextSecret: CONTEXT_SECRET,
      });
      expect(await asApp.get('initech')).toBe(secret);
      await expect(asApp.set('initech', 'hijack')).rejects.toThrow(/permission denied/);
      await asApp.close();
    } finally {
      await provider.close();
    }
  });

  it('generated passwords come from the CSPRNG: long, distinct, nothing to escape', () => {
    const passwords = new Set(Array.from({ length: 100 }, generatePassword));
    expect(passwords.size).toBe(100);
    for (const p of passwords) expect(p).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('database tenants provisioned with the database provider connect with the stored password', async () => {
    const { db, tenancy } = suite();
    const { createTenancy } = await import('../src/index');
    const { baseConfig } = await import('./support');
    const provider = new DatabaseSecretsProvider({ connectionString: db.url, encryptionKey: 'k'.repeat(32), contextSecret: CONTEXT_SECRET });
    const withDb = createTenancy({ ...baseConfig(db), namePrefix: tenancy.config.namePrefix, secrets: provider });
    try {
      await withDb.createTenant({ slug: 'sec_db', name: 'Secret DB', strategy: 'database' });
      await withDb.withTenant('sec_db', (tx) => tx.query(`insert into notes (body) values ('x')`), { role: 'admin' });
      expect((await withDb.queryAs('sec_db', 'select count(*)::int as n from notes')).rows[0]).toEqual({ n: 1 });
      expect(await provider.get('sec_db')).toMatch(/^[A-Za-z0-9_-]{32}$/);
      await withDb.deleteTenant('sec_db', { archive: false });
      expect(await provider.get('sec_db')).toBeUndefined();
    } finally {
      await withDb.close();
      await provider.close();
    }
  });
});
