import path from 'node:path';
import { environmentOf, mountsOf, type ComposeService } from './compose';
import { runOk } from './processes';

export const INITDB_DIR = '/docker-entrypoint-initdb.d';

export interface InitScript {
  /** Where the postgres image sees it (its order is the order of these names). */
  target: string;
  /** The file in this repository that compose mounts there. */
  source: string;
}

/** The scripts the postgres service mounts into /docker-entrypoint-initdb.d, in the order the entrypoint runs them. */
export function initScripts(service: ComposeService): InitScript[] {
  return (
    mountsOf(service)
      .filter((mount) => path.posix.dirname(mount.target) === INITDB_DIR)
      .map((mount) => ({ target: mount.target, source: mount.source }))
      // The entrypoint runs `for f in /docker-entrypoint-initdb.d/*`: the shell's sorted glob.
      .sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0))
  );
}

/**
 * What the postgres image's docker-entrypoint.sh does on an empty data directory, after initdb: create
 * POSTGRES_DB, then run every init script with
 *   psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname "$POSTGRES_DB" -f FILE
 * with the container's environment. Here the server is reached over TCP (the entrypoint's temporary server
 * listens on its socket only). Returns the scripts it ran.
 */
export async function initLikeEntrypoint(service: ComposeService, server: { host: string; port: number }): Promise<InitScript[]> {
  const env = environmentOf(service);
  const user = env.POSTGRES_USER || 'postgres';
  const database = env.POSTGRES_DB || user;
  const psqlEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...env,
    PGHOST: server.host,
    PGPORT: String(server.port),
    PGPASSWORD: env.POSTGRES_PASSWORD ?? '',
  };
  const psql = ['-v', 'ON_ERROR_STOP=1', '--username', user, '--no-password', '--no-psqlrc'];
  if (database !== 'postgres') {
    // docker_setup_db: `CREATE DATABASE :"db" ;` with --set db="$POSTGRES_DB", on the postgres database.
    await runOk('psql', [...psql, '--dbname', 'postgres', '--set', `db=${database}`], { env: psqlEnv, input: 'CREATE DATABASE :"db" ;\n' });
  }
  const scripts = initScripts(service);
  for (const script of scripts) {
    if (!script.target.endsWith('.sql')) throw new Error(`${script.target}: only .sql init scripts are run here; add the entrypoint's handling of this kind`);
    await runOk('psql', [...psql, '--dbname', database, '-f', script.source], { env: psqlEnv, timeoutMs: 300_000 });
  }
  return scripts;
}
