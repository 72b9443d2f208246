import { createReadStream, createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip, gzipSync } from 'node:zlib';
import { extract, pack } from 'tar-stream';
import type { ArchiveManifest } from '../src/index';

/** Copies an archive with its manifest changed and its rows as they were: how a test makes a foreign or newer archive. */
export async function rewriteManifest(from: string, to: string, change: (manifest: ArchiveManifest) => unknown): Promise<void> {
  const tar = extract();
  const out = pack();
  const written = pipeline(out, createGzip(), createWriteStream(to));
  const reading = pipeline(createReadStream(from), createGunzip(), tar);
  for await (const entry of tar) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as unknown as Readable) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    if (entry.header.name === 'manifest.json') body = Buffer.from(JSON.stringify(change(JSON.parse(body.toString('utf8')) as ArchiveManifest)));
    out.entry({ name: entry.header.name }, body);
  }
  await reading;
  out.finalize();
  await written;
}

/** A .tar.gz holding exactly `entries`, in order: how a test makes an archive damaged in a chosen way. */
export async function tarGz(entries: readonly { name: string; body: Buffer | string }[]): Promise<Buffer> {
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
