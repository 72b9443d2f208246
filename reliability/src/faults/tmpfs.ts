import { execFile } from 'node:child_process';
import { mkdir, open, statfs } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A small filesystem of its own, mounted on `dir`: a disk that can be filled without filling the machine's. */
export interface SmallDisk {
  dir: string;
  /** Bytes still free. */
  free(): Promise<number>;
  /** Takes all but `leave` bytes of what is free, with one file; returns its path. */
  fill(leave: number): Promise<string>;
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `bytes` on `dir`; throws with mount's own reason when it cannot (no root, no tmpfs). */
export async function mountSmallDisk(dir: string, bytes: number): Promise<SmallDisk> {
  await mkdir(dir, { recursive: true });
  await run('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(bytes / 1024)}k,mode=0700`, 'tmpfs', dir]);
  const free = async () => {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  };
  return {
    dir,
    free,
    fill: async (leave) => {
      const file = path.join(dir, 'filler');
      const handle = await open(file, 'a');
      try {
        const chunk = Buffer.alloc(4096, 1);
        for (let left = (await free()) - leave; left > 0; left -= chunk.length) {
          await handle.write(chunk, 0, Math.min(chunk.length, left));
        }
      } finally {
        await handle.close();
      }
      return file;
    },
    unmount: async () => {
      // Lazily when busy: a file a failed write left open must not keep the mount behind the run.
      await run('umount', [dir]).catch(() => run('umount', ['--lazy', dir]));
    },
  };
}
