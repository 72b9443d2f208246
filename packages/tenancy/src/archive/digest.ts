import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/** Passes bytes through unchanged, hashing them and counting lines (one line per row in COPY text format). */
export class RowDigest extends Transform {
  private readonly hash = createHash('sha256');
  rows = 0;
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.rows++;
    callback(null, chunk);
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}
