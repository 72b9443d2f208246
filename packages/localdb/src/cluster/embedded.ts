import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkBinaries } from './binaries';
import { ensureTraversable, inspectDataDir } from './data-dir';
import { ClusterStartError, LocalDbError, PortInUseError } from './errors';
import { guardAgainstOrphan } from './exit-guard';
import { loadEmbeddedPostgres, type EmbeddedPostgres } from './load-library';
import { resolveServerUser, type ServerUser } from './os-user';
import { assertPortFree } from './port';
import { readPostmasterPid, stopPostmaster } from './postmaster';
import { INITDB_FLAGS, serverFlags, type ServerSettings } from './server-flags';

export * from './errors';
export { closeMaintenanceDatabases, MAINTENANCE_DATABASES } from './maintenance-databases';
export { assertPortFree, findFreePort } from './port';
export type { ServerSettings } from './server-flags';

export interface EmbeddedClusterOptions {
  /** Created and initialised when absent or empty; an existing cluster there is reused. */
  dataDir: string;
  port: number;
  /** Superuser created by initdb. Default `postgres`. */
  user?: string;
  /** Default `postgres`. Only used when the cluster is created. */
  password?: string;
  /**
   * Default true. When false, stop() deletes the data directory, but only if this call created
   * it: a directory that already held a cluster is never deleted.
   */
  persistent?: boolean;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Default true. Turn off for throw-away test clusters only. */
  fsync?: boolean;
  /** Extra `-c name=value` server settings, applied over the defaults. */
  settings?: ServerSettings;
  /** Receives initdb and server output; by default it is kept only for error messages. */
  onLog?: (text: string) => void;
}

export interface EmbeddedCluster {
  /** Connection URL of the superuser, to `db` (default `postgres`). */
  url(db?: string): string;
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL version of the binaries, e.g. "18.4". */
  version: string;
  /** True when this start ran initdb (the data directory was absent or empty). */
  created: boolean;
  /** Postmaster pid. */
  pid: number;
  /** Stops the server and resolves once its process is gone. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startEmbeddedCluster(options: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  const settings = withDefaults(options);
  const serverUser = await resolveServerUser();
  const binaries = await checkBinaries(serverUser);
  const state = await inspectDataDir(settings.dataDir, serverUser, binaries.major);
  await assertPortFree(settings.port, settings.host);
  const log = new LogTail(options.onLog);
  const instance = await createInstance(settings, serverUser, log);
  const created = state === 'fresh';
  if (created) await initialise(instance, settings, serverUser, log);
  await start(instance, settings, log);
  const pid = await readPostmasterPid(settings.dataDir);
  if (pid === undefined) throw new ClusterStartError(settings.dataDir, 'the server started but wrote no postmaster.pid');
  return describeCluster(settings, { instance, pid, created, version: binaries.version });
}

type Settings = Required<Omit<EmbeddedClusterOptions, 'onLog'>>;

function withDefaults(options: EmbeddedClusterOptions): Settings {
  return {
    dataDir: path.resolve(options.dataDir),
    port: options.port,
    user: options.user ?? 'postgres',
    password: options.password ?? 'postgres',
    persistent: options.persistent ?? true,
    host: options.host ?? '127.0.0.1',
    fsync: options.fsync ?? true,
    settings: options.settings ?? {},
  };
}

async function createInstance(settings: Settings, serverUser: ServerUser, log: LogTail): Promise<EmbeddedPostgres> {
  const EmbeddedPostgresClass = await loadEmbeddedPostgres();
  return new EmbeddedPostgresClass({
    databaseDir: settings.dataDir,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    authMethod: 'scram-sha-256',
    // We decide about deleting data ourselves: the library would delete even a reused cluster.
    persistent: true,
    createPostgresUser: serverUser.uid !== os.userInfo().uid,
    initdbFlags: INITDB_FLAGS,
    postgresFlags: serverFlags(settings),
    onLog: (text) => log.add(text),
    onError: (error) => log.add(error instanceof Error ? error.message : String(error)),
  });
}

async function initialise(instance: EmbeddedPostgres, settings: Settings, serverUser: ServerUser, log: LogTail): Promise<void> {
  // Checked before mkdir so that a refusal leaves nothing behind, and again after it, because a
  // restrictive umask can strip the search bit from the directories mkdir just made.
  await ensureTraversable(settings.dataDir, serverUser, os.userInfo().uid);
  await mkdir(settings.dataDir, { recursive: true, mode: 0o755 });
  await ensureTraversable(settings.dataDir, serverUser, os.userInfo().uid);
  try {
    await instance.initialise();
  } catch (error) {
    log.add(error instanceof Error ? error.message : String(error));
    throw new ClusterStartError(settings.dataDir, log.text());
  }
}

async function start(instance: EmbeddedPostgres, settings: Settings, log: LogTail): Promise<void> {
  try {
    await instance.start();
  } catch (error) {
    // The library rejects with nothing when the server exits early; the reason is in its log.
    if (error instanceof LocalDbError) throw error;
    if (/could not bind|Address already in use/i.test(log.text())) throw new PortInUseError(settings.port, settings.host);
    throw new ClusterStartError(settings.dataDir, log.text());
  }
}

interface Running {
  instance: EmbeddedPostgres;
  pid: number;
  created: boolean;
  version: string;
}

function describeCluster(settings: Settings, running: Running): EmbeddedCluster {
  const removeGuard = guardAgainstOrphan(running.pid);
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await stopPostmaster(running.pid, () => running.instance.stop());
    removeGuard();
    if (!settings.persistent && running.created) await rm(settings.dataDir, { recursive: true, force: true });
  };
  return {
    url: (db = 'postgres') => connectionUrl(settings, db),
    port: settings.port,
    host: settings.host,
    dataDir: settings.dataDir,
    version: running.version,
    created: running.created,
    pid: running.pid,
    stop: () => (stopping ??= stop()),
  };
}

function connectionUrl(settings: Settings, db: string): string {
  const credentials = `${encodeURIComponent(settings.user)}:${encodeURIComponent(settings.password)}`;
  return `postgres://${credentials}@${settings.host}:${settings.port}/${encodeURIComponent(db)}`;
}

// Server output is noisy, so by default we keep only the recent part, for error messages.
class LogTail {
  private chunks: string[] = [];
  constructor(private readonly forward?: (text: string) => void) {}

  add(text: string): void {
    this.forward?.(text);
    this.chunks.push(text);
    if (this.chunks.length > 200) this.chunks.shift();
  }

  text(): string {
    return this.chunks.join('');
  }
}
