import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { extract, pack } from 'tar-stream';

import { HOSTILE_PIECES } from './inputs';

// Damaged tenant archives, made from a real one (an export): what an upload to /api/archives must refuse whole.

interface Entry {
  name: string;
  body: Buffer;
}

export async function untar(archive: Buffer): Promise<Entry[]> {
  const tar = extract();
  const entries: Entry[] = [];
  const feeding = new Promise<void>((resolve, reject) => {
    Readable.from([gunzipSync(archive)])
      .pipe(tar)
      .on('error', reject);
    tar.on('finish', resolve);
  });
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
    entries.push({ name: entry.header.name, body: Buffer.concat(chunks) });
  }
  await feeding.catch(() => undefined);
  return entries;
}

export async function tar(entries: Entry[]): Promise<Buffer> {
  const out = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    out.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    out.on('end', resolve);
    out.on('error', reject);
  });
  for (const entry of entries) out.entry({ name: entry.name }, entry.body);
  out.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

type Manifest = Record<string, unknown> & { tables: Record<string, unknown>[]; tenant: Record<string, unknown> };

const withManifest = (entries: Entry[], change: (manifest: Manifest) => unknown): Entry[] =>
  entries.map((e) =>
    e.name === 'manifest.json' ? { name: e.name, body: Buffer.from(JSON.stringify(change(JSON.parse(e.body.toString('utf8')) as Manifest))) } : e,
  );

const firstTable = (entries: Entry[]) => entries.findIndex((e) => e.name.endsWith('.copy') && e.body.length > 0);

/** One way to damage an archive: a label for the report and the damaged bytes. */
export interface Damage {
  label: string;
  make: (archive: Buffer, entries: Entry[]) => Promise<Buffer>;
}

const hostile = fc.constantFrom(...HOSTILE_PIECES);

/** Damaged archives: garbage, cut off, a row changed, a tampered manifest, entries named with paths out of the archive. */
export const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 4096 }).map((bytes) => ({ label: `${bytes.length} random bytes`, make: async () => Buffer.from(bytes) })),
  fc
    .uint8Array({ minLength: 1, maxLength: 4096 })
    .map((bytes) => ({ label: `gzip of ${bytes.length} random bytes`, make: async () => gzipSync(Buffer.from(bytes)) })),
  fc.double({ min: 0.01, max: 0.99, noNaN: true }).map((at) => ({
    label: `cut off at ${(at * 100).toFixed(0)} %`,
    make: async (archive: Buffer) => archive.subarray(0, Math.floor(archive.length * at)),
  })),
  fc.nat().map((at) => ({
    label: `one byte of a table's rows changed (at ${at})`,
    make: async (_archive: Buffer, entries: Entry[]) => {
      const i = firstTable(entries);
      const body = Buffer.from(entries[i]!.body);
      body[at % body.length] = (body[at % body.length]! + 1) % 256;
      return tar(entries.map((e, j) => (j === i ? { name: e.name, body } : e)));
    },
  })),
  fc.constant({
    label: 'a table entry missing',
    make: async (_archive: Buffer, entries: Entry[]) => tar(entries.filter((_, j) => j !== firstTable(entries))),
  }),
  fc
    .constantFrom<[string, (m: Manifest) => unknown]>(
      ['manifest: a row count changed', (m) => ({ ...m, tables: m.tables.map((t, i) => (i === 0 ? { ...t, rows: Number(t.rows) + 1 } : t)) })],
      ['manifest: a checksum changed', (m) => ({ ...m, tables: m.tables.map((t, i) => (i === 0 ? { ...t, sha256: '0'.repeat(64) } : t)) })],
      ['manifest: another format', (m) => ({ ...m, format: 'tenancy-archive/99' })],
      ['manifest: a newer schema version', (m) => ({ ...m, schemaVersion: '9999_from_the_future' })],
      ['manifest: a table file out of the archive', (m) => ({ ...m, tables: m.tables.map((t, i) => (i === 0 ? { ...t, file: '../../../etc/passwd' } : t)) })],
      [
        'manifest: a table named in SQL',
        (m) => ({ ...m, tables: m.tables.map((t, i) => (i === 0 ? { ...t, name: 'tasks; DROP TABLE tenancy.tenants' } : t)) }),
      ],
      ['manifest: an unknown strategy', (m) => ({ ...m, tenant: { ...m.tenant, strategy: 'shared; DROP' } })],
      ['manifest: not an object', () => ['not', 'a', 'manifest']],
      ['manifest: the tenant id not a uuid', (m) => ({ ...m, tenant: { ...m.tenant, id: "x' OR '1'='1" } })],
    )
    .map(([label, change]) => ({ label, make: async (_archive: Buffer, entries: Entry[]) => tar(withManifest(entries, change)) })),
  hostile.map((piece) => ({
    label: `manifest not JSON (${JSON.stringify(piece)})`,
    make: async (_archive: Buffer, entries: Entry[]) =>
      tar(entries.map((e) => (e.name === 'manifest.json' ? { name: e.name, body: Buffer.from(`{${piece}`) } : e))),
  })),
  fc.constantFrom('../../../tmp/evil.copy', '/etc/passwd', 'tables/../../escape.copy', '..', 'tables/\0.copy').map((name) => ({
    label: `an entry named ${JSON.stringify(name)}`,
    make: async (_archive: Buffer, entries: Entry[]) => tar([...entries.slice(0, 1), { name, body: Buffer.from('x\n') }, ...entries.slice(1)]),
  })),
  fc.constant({
    label: 'the manifest not first',
    make: async (_archive: Buffer, entries: Entry[]) => tar([...entries.slice(1), entries[0]!]),
  }),
);
