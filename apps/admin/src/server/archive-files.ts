import 'server-only';

import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { serverEnv } from '@/env';

// Where tenant archives live on this server, and how an uploaded one gets there. Two places, both under ARCHIVE_DIR:
// the directory itself (what a delete writes, and where an operator may put an archive by hand), and its uploads/
// folder, where an archive sent through the browser waits between its upload and its restore. A request names an
// archive by its file name and its place, never by a path.

export const ARCHIVE_SOURCES = ['archive', 'upload'] as const;
export type ArchiveSource = (typeof ARCHIVE_SOURCES)[number];

/** A file name with no directory part: letters, digits, `.`, `_`, `-`, ending in .tar.gz. */
export const ARCHIVE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}\.tar\.gz$/;
const UPLOAD_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tar\.gz$/;

/** Uploads never restored are removed after a day (at the next upload). */
const UPLOAD_LIFETIME_MS = 24 * 60 * 60 * 1000;

export interface ArchiveFile {
  source: ArchiveSource;
  name: string;
  bytes: number;
  modifiedAt: Date;
}

function directory(source: ArchiveSource): string {
  const dir = serverEnv().ARCHIVE_DIR;
  return source === 'upload' ? path.join(dir, 'uploads') : dir;
}

/** The archive's path, or null when the name is not one this console accepts for that place. */
export function archivePath(source: ArchiveSource, name: string): string | null {
  if (!(source === 'upload' ? UPLOAD_NAME : ARCHIVE_NAME).test(name)) return null;
  return path.join(directory(source), name);
}

/** The archive, or null when there is no such file. */
export async function findArchive(source: ArchiveSource, name: string): Promise<ArchiveFile | null> {
  const file = archivePath(source, name);
  if (!file) return null;
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? { source, name, bytes: info.size, modifiedAt: info.mtime } : null;
}

/** The archives in ARCHIVE_DIR (deleted tenants', and any put there by hand), newest first. */
export async function listArchives(): Promise<ArchiveFile[]> {
  const names = await readdir(directory('archive')).catch(() => [] as string[]);
  const found = await Promise.all(names.filter((name) => ARCHIVE_NAME.test(name)).map((name) => findArchive('archive', name)));
  return found.filter((a): a is ArchiveFile => a !== null).sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime());
}

export async function removeUpload(name: string): Promise<void> {
  const file = archivePath('upload', name);
  if (file) await rm(file, { force: true });
}

export class UploadTooLargeError extends Error {
  override readonly name = 'UploadTooLargeError';
}

export class UploadIncompleteError extends Error {
  override readonly name = 'UploadIncompleteError';
}

/**
 * Writes `body` to `file` as it arrives, never holding more than a chunk. Refuses (and removes what was written) a
 * body longer than `maxBytes`, or shorter than the `expectedBytes` its sender announced: a cut-off upload.
 */
export async function saveStream(body: ReadableStream<Uint8Array>, file: string, maxBytes: number, expectedBytes?: number): Promise<number> {
  let bytes = 0;
  const cap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (bytes > maxBytes) callback(new UploadTooLargeError(`larger than ${maxBytes} bytes`));
      else callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(body as import('node:stream/web').ReadableStream<Uint8Array>), cap, createWriteStream(file, { flags: 'wx' }));
    if (expectedBytes !== undefined && bytes !== expectedBytes) throw new UploadIncompleteError(`received ${bytes} of ${expectedBytes} bytes`);
    return bytes;
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}

/** A new file name in uploads/ (created with the folder), after removing uploads older than a day. */
export async function newUpload(): Promise<{ name: string; file: string }> {
  const dir = directory('upload');
  await mkdir(dir, { recursive: true });
  const now = Date.now();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const info = await stat(path.join(dir, name)).catch(() => null);
    if (info && now - info.mtimeMs > UPLOAD_LIFETIME_MS) await rm(path.join(dir, name), { force: true });
  }
  const name = `${randomUUID()}.tar.gz`;
  return { name, file: path.join(dir, name) };
}
