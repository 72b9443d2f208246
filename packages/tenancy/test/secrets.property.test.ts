import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { edgySlug, hostileText, hugeText, longIdentifier, propertyParams } from '@repo/properties';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseSecretsProvider, EnvSecretsProvider, FileSecretsProvider, TenancyConfigError, type SecretsProvider } from '../src/index';
import { CONTEXT_SECRET, useTenancy } from './support';

// The SecretsProvider implementations with any key the library may pass (every valid slug: reserved words and
// JavaScript's own property names included) and any value: a key never set reads as undefined, a value set reads
// back as given, a deleted one is gone, and other keys are untouched.

const suite = useTenancy('secretprops');
const providers: DatabaseSecretsProvider[] = [];
afterAll(async () => {
  for (const provider of providers) await provider.close();
});

/** Keys: slugs (what the library uses), names Object.prototype has, hostile text without NUL, long identifiers. */
const key = fc.oneof(
  edgySlug(),
  fc.constantFrom('constructor', '__proto__', 'hasOwnProperty', 'toString', 'valueOf', 'prototype'),
  hostileText().filter((s) => s.length > 0 && !s.includes('\u0000') && Buffer.from(s, 'utf8').toString('utf8') === s),
  longIdentifier(),
);
const value = fc
  .oneof(hostileText(), fc.string({ minLength: 1, maxLength: 64 }), hugeText(16 * 1024))
  .filter((s) => s.length > 0 && Buffer.from(s, 'utf8').toString('utf8') === s);

async function roundTrip(provider: SecretsProvider, keys: string[], values: string[]): Promise<void> {
  const distinct = [...new Set(keys)];
  for (const k of distinct) expect(await provider.get(k), `get(${JSON.stringify(k)}) before set`).toBeUndefined();
  distinct.forEach((k, i) => values.push(values[i % values.length]!));
  for (const [i, k] of distinct.entries()) await provider.set(k, values[i]!);
  for (const [i, k] of distinct.entries()) expect(await provider.get(k), `get(${JSON.stringify(k)})`).toBe(values[i]);
  const [gone, ...kept] = distinct;
  await provider.delete(gone!);
  expect(await provider.get(gone!)).toBeUndefined();
  for (const [i, k] of kept.entries()) expect(await provider.get(k)).toBe(values[i + 1]);
  for (const k of kept) await provider.delete(k);
}

describe('secrets providers (properties)', () => {
  it('file: any key reads undefined until set, then what was set, until deleted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(key, { minLength: 1, maxLength: 5 }), fc.array(value, { minLength: 1, maxLength: 3 }), async (keys, values) => {
        const provider = new FileSecretsProvider(path.join(mkdtempSync(path.join(os.tmpdir(), 'secret-props-')), 'secrets.json'));
        await roundTrip(provider, keys, values);
      }),
      propertyParams(25),
    );
  });

  it('database: any key reads undefined until set, then what was set, until deleted', async () => {
    const provider = new DatabaseSecretsProvider({ connectionString: suite().db.url, encryptionKey: 'k'.repeat(32), contextSecret: CONTEXT_SECRET });
    providers.push(provider);
    await fc.assert(
      fc.asyncProperty(fc.array(key, { minLength: 1, maxLength: 4 }), fc.array(value, { minLength: 1, maxLength: 3 }), async (keys, values) => {
        await roundTrip(provider, keys, values);
      }),
      propertyParams(25),
    );
  });

  it('env: any key reads its TENANCY_SECRET_ variable or undefined; set of anything else is TenancyConfigError', async () => {
    await fc.assert(
      fc.asyncProperty(key, value, async (k, v) => {
        const env: NodeJS.ProcessEnv = {};
        const provider = new EnvSecretsProvider(env);
        expect(await provider.get(k)).toBeUndefined();
        const error = await provider.set(k, v).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(TenancyConfigError);
        env[EnvSecretsProvider.variableFor(k)] = v;
        expect(await provider.get(k)).toBe(v);
      }),
      propertyParams(60),
    );
  });
});
