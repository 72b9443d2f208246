import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { pack, type Pack } from 'tar-stream';
import { RowDigest } from './digest';
import { ARCHIVE_FORMAT, COPY_SETTINGS, MANIFEST_ENTRY, type ArchiveManifest, type ArchiveTable } from './manifest';
import { applyCopySettings, copyOutSql, tableShape } from './table-shape';

export interface ArchiveSource {
  tenant: ArchiveManifest['tenant'];
  schemaVersion: string | null;
  /** Where the tenant's tables are on the client's database. */
  schema: string;
  /** Parents first. */
  tables: readonly string[];
}

/**
 * Writes one tenant's rows to a .tar.gz: manifest.json first, then one COPY-format entry per table.
 * The client must be inside a transaction that sees exactly the tenant's rows (row-level security
 * with the tenant's context) from one snapshot. Each table is streamed to a file beside the archive
 * first, so memory stays flat and the manifest, which leads the archive, can carry every checksum.
 * The archive appears under its name only when complete.
 */
export async function writeArchive(
  client: pg.ClientBase,
  source: ArchiveSource,
  file: string,
  onTable?: (table: ArchiveTable) => void,
): Promise<ArchiveManifest> {
  await mkdir(dirname(file), { recursive: true });
  const work = await mkdtemp(join(dirname(file), '.export-'));
  try {
    await applyCopySettings(client, COPY_SETTINGS);
    const tables: ArchiveTable[] = [];
    for (const name of source.tables) {
      const table = await copyTable(client, source.schema, name, join(work, `${name}.copy`));
      tables.push(table);
      onTable?.(table);
    }
    const manifest: ArchiveManifest = {
      format: ARCHIVE_FORMAT,
      createdAt: new Date().toISOString(),
      tenant: source.tenant,
      schemaVersion: source.schemaVersion,
      tables,
    };
    try {
      await packArchive(manifest, work, `${file}.partial`);
    } catch (error) {
      // Half an archive is no use to anyone, and on a full disk it holds the space a retry needs.
      await rm(`${file}.partial`, { force: true });
      throw error;
    }
    await rename(`${file}.partial`, file);
    return manifest;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function copyTable(client: pg.ClientBase, schema: string, name: string, path: string): Promise<ArchiveTable> {
  const shape = await tableShape(client, schema, name);
  const digest = new RowDigest();
  try {
    await pipeline(client.query(copyTo(copyOutSql(schema, name, shape.columns, shape.orderBy))), digest, createWriteStream(path, { mode: 0o600 }));
  } catch (error) {
    abandonConnection(client);
    throw error;
  }
  return { name, file: `tables/${name}.copy`, columns: shape.columns, rows: digest.rows, sha256: digest.sha256() };
}

/**
 * A COPY TO given up before its end (the file it went to failed: a full disk) leaves the connection
 * paused in the middle of the server's rows: nothing more runs on it, not even the ROLLBACK, and the
 * server waits to send the rest, for ever. Closing the socket fails what is queued and ends the
 * backend's transaction; the pool drops a client in that state.
 */
function abandonConnection(client: pg.ClientBase): void {
  const socket = (client as Partial<pg.Client>).connection?.stream;
  if (!socket) return;
  // The client reports the closed connection as an error event as well: it belongs to the failed COPY.
  client.on('error', () => undefined);
  socket.destroy();
}

async function packArchive(manifest: ArchiveManifest, work: string, file: string): Promise<void> {
  const tar = pack();
  // A write that fails (a full disk) destroys the tar stream, and an entry still being added would
  // then wait forever, holding its table file open: the abort ends that entry's pipeline too.
  const abort = new AbortController();
  const written = pipeline(tar, createGzip(), createWriteStream(file, { mode: 0o600 })).catch((error: unknown) => {
    abort.abort(error);
    throw error;
  });
  const added = addEntries(tar, manifest, work, abort.signal).catch((error: unknown) => {
    // Ends the writing side too, so `written` settles instead of waiting for an end that never comes.
    tar.destroy(error as Error);
    throw error;
  });
  // Awaited together, so neither rejection goes unhandled; the write's own error (ENOSPC) is the one reported.
  const [write, add] = await Promise.allSettled([written, added]);
  if (write.status === 'rejected') throw write.reason;
  if (add.status === 'rejected') throw add.reason;
}

async function addEntries(tar: Pack, manifest: ArchiveManifest, work: string, signal: AbortSignal): Promise<void> {
  tar.entry({ name: MANIFEST_ENTRY, mode: 0o600 }, JSON.stringify(manifest, null, 2));
  for (const table of manifest.tables) {
    const path = join(work, `${table.name}.copy`);
    const entry = tar.entry({ name: table.file, size: (await stat(path)).size, mode: 0o600 });
    await pipeline(createReadStream(path), entry, { signal });
  }
  tar.finalize();
}
