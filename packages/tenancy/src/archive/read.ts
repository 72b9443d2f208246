import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Extract } from 'tar-stream';
import { ArchiveError } from '../errors';
import { RowDigest } from './digest';
import { ARCHIVE_FORMAT, MANIFEST_ENTRY, manifestSchema, type ArchiveManifest, type ArchiveTable } from './manifest';

type Entry = Extract extends AsyncIterable<infer E> ? E : never;

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * The archive's entries in order. Each must be read to its end (or resumed) before the next
 * arrives; a damaged gzip or tar stream ends the iteration with an ArchiveError.
 */
async function* entries(file: string): AsyncGenerator<Entry> {
  const tar = extract();
  const feeding = pipeline(createReadStream(file), createGunzip(), tar).catch((error: unknown) => {
    tar.destroy(error as Error);
  });
  try {
    for await (const entry of tar) yield entry;
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    tar.destroy();
    await feeding;
  }
}

function unreadable(file: string, error: unknown): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return new ArchiveError(file, 'no such file');
  return new ArchiveError(file, `not a readable tenancy archive (${(error as Error).message})`);
}

async function readAll(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new Error(`entry larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseManifest(file: string, bytes: Buffer): ArchiveManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new ArchiveError(file, `${MANIFEST_ENTRY} is not JSON`);
  }
  const format = (raw as { format?: unknown })?.format;
  if (format !== ARCHIVE_FORMAT) {
    throw new ArchiveError(file, `its format is ${JSON.stringify(format)}, and this version of the library reads ${ARCHIVE_FORMAT} only`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success)
    throw new ArchiveError(file, `${MANIFEST_ENTRY} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Reads and validates the manifest, the archive's first entry, without reading the rows. */
export async function readManifest(file: string): Promise<ArchiveManifest> {
  for await (const entry of entries(file)) {
    if (entry.header.name !== MANIFEST_ENTRY) throw new ArchiveError(file, `its first entry is ${JSON.stringify(entry.header.name)}, not ${MANIFEST_ENTRY}`);
    const bytes = await readAll(entry as unknown as Readable, MAX_MANIFEST_BYTES).catch((error: unknown) => {
      throw unreadable(file, error);
    });
    return parseManifest(file, bytes);
  }
  throw new ArchiveError(file, 'it is empty');
}

/**
 * Hands each table's rows to `load`, in the manifest's order, checking that every entry is there,
 * in that order, with the row count and checksum the manifest gives. With a `load` that only
 * drains, it verifies the whole archive.
 */
export async function forEachTable(file: string, manifest: ArchiveManifest, load: (table: ArchiveTable, rows: Readable) => Promise<void>): Promise<void> {
  const expected = [...manifest.tables];
  let first = true;
  for await (const entry of entries(file)) {
    if (first) {
      first = false;
      entry.resume();
      continue;
    }
    const table = expected.shift();
    if (!table || entry.header.name !== table.file) throw new ArchiveError(file, `unexpected entry ${JSON.stringify(entry.header.name)}`);
    const digest = new RowDigest();
    // pipe() does not carry an error downstream: a damaged entry must fail the load that reads it, as an ArchiveError
    // (a gzip stream cut off inside an entry fails here, in the reader's hands, not in the tar iteration above).
    let damaged: Error | undefined;
    entry.on('error', (error: Error) => {
      damaged = error;
      digest.destroy(error);
    });
    try {
      await load(table, (entry as unknown as Readable).pipe(digest));
    } catch (error) {
      throw damaged ? unreadable(file, damaged) : error;
    }
    if (digest.rows !== table.rows || digest.sha256() !== table.sha256) {
      throw new ArchiveError(
        file,
        `table ${table.name} fails verification (${digest.rows} rows against the manifest's ${table.rows}, or a checksum mismatch): the archive is damaged`,
      );
    }
  }
  if (expected.length > 0) throw new ArchiveError(file, `table ${expected[0]!.name} is missing`);
}

/** Reads every row once and checks counts and checksums against the manifest; nothing is loaded. */
export async function verifyArchive(file: string, manifest: ArchiveManifest): Promise<void> {
  await forEachTable(file, manifest, async (_table, rows) => {
    for await (const _chunk of rows) {
      // draining is the check: forEachTable compares what went through
    }
  });
}
