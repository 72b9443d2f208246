import { existsSync, mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { databaseState, HUGE, hostileText, hugeText, invalidSlug, longIdentifier, propertyParams } from '@repo/properties';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, TenancyError, type ArchiveManifest } from '../src/index';
import { rewriteManifest, tarGz } from './archive-files';
import { useTenancy } from './support';

// importTenant and restore of archives made bad in every way a file can be: cut short, garbage, one byte changed, a
// manifest with a field tampered, a huge member, entry names that climb out of a directory. Each is refused with the
// library's typed error (ArchiveError for the file itself) and leaves the catalog, schemas, roles and rows as they
// were. Valid archives of any rows round-trip: export then import gives the same rows.

const suite = useTenancy('archprops');
const dir = mkdtempSync(path.join(os.tmpdir(), 'archive-props-'));
const ORIGIN = 'arch_origin';
let base: Buffer;
let manifest: ArchiveManifest;
let serial = 0;

const file = (label: string) => path.join(dir, `${label}-${++serial}.tar.gz`);

async function state(): Promise<string> {
  const { admin, tenancy } = suite();
  return databaseState(admin, ['tenancy.tenants', 'public.notes'], tenancy.config.namePrefix);
}

type Note = { id: string; body: string; created_by: string | null };

async function rows(slug: string): Promise<Note[]> {
  return (await suite().tenancy.queryAs<Note>(slug, 'SELECT id, body, created_by FROM notes ORDER BY id')).rows;
}

/** Note bodies that exercise COPY's escaping and the digest: quotes, tabs, newlines, backslashes, look-alikes, big ones. */
const body = fc
  .oneof(hostileText(), fc.string({ unit: 'grapheme', maxLength: 50 }), hugeText(64 * 1024), fc.constantFrom('\\N', '\\.', '', '\\', '\t\n\r'))
  .map((s) => s.replaceAll('\u0000', ''))
  .filter((s) => Buffer.from(s, 'utf8').toString('utf8') === s);

async function seed(slug: string, bodies: readonly string[]): Promise<void> {
  const { tenancy } = suite();
  await tenancy.createTenant({ slug, name: `Archive ${slug}`, strategy: 'rls' });
  await tenancy.withTenant(
    slug,
    async (tx) => {
      for (const [i, text] of bodies.entries())
        await tx.query('INSERT INTO notes (body, created_by) VALUES ($1, $2)', [text, i % 2 ? null : '00000000-0000-4000-8000-000000000001']);
    },
    { role: 'admin' },
  );
}

beforeAll(async () => {
  const { tenancy } = suite();
  await seed(ORIGIN, ['first', 'it\'s; "quoted"', 'tab\there', 'back\\slash', 'а look-alike']);
  const out = file('base');
  manifest = (await tenancy.exportTenant(ORIGIN, out)).manifest;
  base = await readFile(out);
  // The archive's slug is free again: a damaged archive that imported would show as a new tenant.
  await tenancy.deleteTenant(ORIGIN, { archive: false });
});

/** The base archive's entries, as read. */
async function baseEntries(): Promise<{ name: string; body: Buffer }[]> {
  const { extract } = await import('tar-stream');
  const tar = extract();
  const entries: { name: string; body: Buffer }[] = [];
  const reading = (async () => {
    for await (const entry of tar) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      entries.push({ name: entry.header.name, body: Buffer.concat(parts) });
    }
  })();
  tar.end(gunzipSync(base));
  await reading;
  return entries;
}

type Damage = { label: string; make: (to: string) => Promise<void> };

const damaged: fc.Arbitrary<Damage> = fc.oneof(
  fc.nat().map((n) => ({
    label: `truncated at ${n}`,
    make: (to: string) => writeFile(to, base.subarray(0, n % base.length)),
  })),
  fc.uint8Array({ maxLength: 4096 }).map((bytes) => ({ label: `${bytes.length} garbage bytes`, make: (to: string) => writeFile(to, bytes) })),
  // Past the gzip header (its time stamp and OS byte are not checked by anyone): every later byte is covered by the CRC.
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map(([at, xor]) => ({
    label: `byte ${10 + (at % (base.length - 10))} ^ ${xor}`,
    make: (to: string) => {
      const copy = Buffer.from(base);
      const i = 10 + (at % (base.length - 10));
      copy[i] = copy[i]! ^ xor;
      return writeFile(to, copy);
    },
  })),
  fc
    .oneof(
      fc.constantFrom<[string, (m: ArchiveManifest) => unknown]>(
        ['rows + 1', (m) => ({ ...m, tables: m.tables.map((t) => ({ ...t, rows: t.rows + 1 })) })],
        ['no tables', (m) => ({ ...m, tables: [] })],
        ['sha256 of zeros', (m) => ({ ...m, tables: m.tables.map((t) => ({ ...t, sha256: '0'.repeat(64) })) })],
        ['format 3', (m) => ({ ...m, format: 'tenancy-archive/3' })],
        ['not an object', () => [1, 2, 3]],
        ['a table twice', (m) => ({ ...m, tables: [...m.tables, ...m.tables] })],
        ['traversal file', (m) => ({ ...m, tables: m.tables.map((t) => ({ ...t, file: '../../../tmp/evil.copy' })) })],
        ['absolute file', (m) => ({ ...m, tables: m.tables.map((t) => ({ ...t, file: '/etc/passwd' })) })],
        ['unknown table', (m) => ({ ...m, tables: m.tables.map((t) => ({ ...t, name: 'pg_authid', file: 'tables/pg_authid.copy' })) })],
        ['strategy', (m) => ({ ...m, tenant: { ...m.tenant, strategy: 'pool' } })],
        ['id not a uuid', (m) => ({ ...m, tenant: { ...m.tenant, id: "1'; drop table notes; --" } })],
      ),
      fc
        .tuple(invalidSlug(), fc.constant('slug'))
        .map(([slug]) => [`slug ${JSON.stringify(slug).slice(0, 40)}`, (m: ArchiveManifest) => ({ ...m, tenant: { ...m.tenant, slug } })] as const),
      fc
        .constantFrom('', ' ', 'a\u0000b', '\ud800', 'x'.repeat(201))
        .map((name) => [`name ${JSON.stringify(name).slice(0, 20)}`, (m: ArchiveManifest) => ({ ...m, tenant: { ...m.tenant, name } })] as const),
      fc
        .oneof(hostileText(), longIdentifier())
        .map(
          (v) =>
            [
              `column ${JSON.stringify(v).slice(0, 20)}`,
              (m: ArchiveManifest) => ({ ...m, tables: m.tables.map((t) => ({ ...t, columns: [...t.columns, v] })) }),
            ] as const,
        ),
      fc
        .oneof(hostileText(), fc.constant('9999_future'))
        .map((v) => [`schemaVersion ${JSON.stringify(v).slice(0, 20)}`, (m: ArchiveManifest) => ({ ...m, schemaVersion: v })] as const),
    )
    .map(([label, change]) => ({ label: `manifest: ${label}`, make: (to: string) => rewriteManifest(path.join(dir, 'base-1.tar.gz'), to, change) })),
  fc.constantFrom<Damage>(
    {
      label: 'a 5 MB manifest',
      make: async (to) => writeFile(to, await tarGz([{ name: 'manifest.json', body: JSON.stringify({ ...manifest, pad: 'a'.repeat(5 * HUGE) }) }])),
    },
    {
      label: 'a huge table entry',
      make: async (to) => {
        const [head, ...rest] = await baseEntries();
        await writeFile(to, await tarGz([head!, ...rest.map((e) => ({ name: e.name, body: Buffer.concat([e.body, Buffer.alloc(3 * HUGE, 'x\n')]) }))]));
      },
    },
    {
      label: 'entries named ../ and absolute',
      make: async (to) => {
        const [head, ...rest] = await baseEntries();
        await writeFile(
          to,
          await tarGz([
            head!,
            ...rest.map((e) => ({ name: `../../${path.basename(dir)}-escaped/${e.name}`, body: e.body })),
            { name: '/tmp/absolute.copy', body: 'x' },
          ]),
        );
      },
    },
    {
      label: 'the manifest not first',
      make: async (to) => writeFile(to, await tarGz([...(await baseEntries())].reverse())),
    },
    {
      label: 'an empty tar',
      make: async (to) => writeFile(to, await tarGz([])),
    },
  ),
);

describe('archives (properties)', () => {
  it('importTenant refuses a damaged, tampered or hostile archive with a typed error and changes nothing', async () => {
    const { tenancy } = suite();
    const before = await state();
    await fc.assert(
      fc.asyncProperty(damaged, fc.constantFrom<'archive' | 'new'>('archive', 'new'), async ({ label, make }, id) => {
        const to = file('damaged');
        await make(to);
        const error = await tenancy.importTenant(to, { id }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, label).toBeInstanceOf(TenancyError);
        // The file itself is the problem unless a field the tenant takes (slug, name, strategy, id) is.
        if (!/slug|name|strategy|id not/.test(label)) expect(error, label).toBeInstanceOf(ArchiveError);
        expect((error as Error).message, label).not.toMatch(/^\s*$/);
        expect(await state(), label).toBe(before);
        expect(existsSync(path.join(path.dirname(dir), `${path.basename(dir)}-escaped`)), label).toBe(false);
      }),
      propertyParams(25),
    );
  });

  it('an archive path that is empty, not a string, holds a NUL byte or names nothing is a typed error for import and export', async () => {
    const { tenancy } = suite();
    await seed('arch_paths', ['x']);
    const before = await state();
    const badPath = fc.oneof(
      fc.constantFrom<unknown>('', undefined, null, 0, {}),
      hostileText().map((s) => path.join(dir, `${s}\u0000.tar.gz`)),
      hostileText().map((s) => path.join(dir, 'missing', `${s}.tar.gz`)),
    );
    await fc.assert(
      fc.asyncProperty(badPath, async (bad) => {
        const imported = await tenancy.importTenant(bad as string).catch((e: unknown) => e);
        expect(imported).toBeInstanceOf(TenancyError);
        if (typeof bad === 'string' && bad.includes('\u0000')) {
          const exported = await tenancy.exportTenant('arch_paths', bad).catch((e: unknown) => e);
          expect(exported).toBeInstanceOf(TenancyError);
        }
        expect(await state()).toBe(before);
      }),
      propertyParams(20),
    );
    await tenancy.deleteTenant('arch_paths', { archive: false });
  });

  it('any rows round-trip: export, then import as a new tenant, gives the same rows', async () => {
    const { tenancy } = suite();
    await fc.assert(
      fc.asyncProperty(fc.array(body, { maxLength: 8 }), async (bodies) => {
        const slug = `arch_rt_${++serial}`;
        const copy = `${slug}_copy`;
        await seed(slug, bodies);
        try {
          const out = file('roundtrip');
          await tenancy.exportTenant(slug, out);
          await tenancy.importTenant(out, { slug: copy, id: 'new' });
          const [original, restored] = [await rows(slug), await rows(copy)];
          expect(restored).toEqual(original);
          expect(restored.map((r) => r.body).sort()).toEqual([...bodies].sort());
        } finally {
          for (const key of [slug, copy]) await tenancy.deleteTenant(key, { archive: false }).catch(() => undefined);
        }
      }),
      propertyParams(4),
    );
  });
});
