import { rmSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isRoot, resolveServerUser, type ServerUser } from '../cluster/os-user';

/** A private directory for one pgbouncer: its config, auth file, unix socket and pid file. */
export interface RuntimeDir {
  dir: string;
  /** The OS user pgbouncer runs as; undefined when it runs as the current (non-root) user. */
  runAs: ServerUser | undefined;
  /** Writes a file only pgbouncer's user can read (the auth file holds a password). */
  write(name: string, content: string): Promise<string>;
  remove(): Promise<void>;
  /** For process 'exit', where nothing asynchronous runs any more. */
  removeSync(): void;
}

// pgbouncer refuses to run as root, so under root it runs as the same unprivileged account as
// the embedded cluster, and that account must own the directory: it re-reads the files on
// RELOAD and creates its socket and pid file there after dropping privileges.
export async function createRuntimeDir(): Promise<RuntimeDir> {
  const runAs = isRoot() ? await resolveServerUser() : undefined;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'localdb-pgbouncer-'));
  await giveTo(dir, runAs, 0o700);
  return {
    dir,
    runAs,
    write: async (name, content) => {
      const file = path.join(dir, name);
      await writeFile(file, content, { mode: 0o600 });
      await giveTo(file, runAs, 0o600);
      return file;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
    removeSync: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function giveTo(file: string, user: ServerUser | undefined, mode: number): Promise<void> {
  if (user) await chown(file, user.uid, user.gid);
  await chmod(file, mode);
}
