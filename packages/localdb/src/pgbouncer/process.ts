import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findFreePort } from '../cluster/port';
import { assertPgBouncerBinary } from './binary';
import { killOnExit } from './child-guard';
import { PgBouncerStartError } from './errors';
import { waitUntilAnswering } from './ready';
import { createRuntimeDir, type RuntimeDir } from './runtime-dir';

const HOST = '127.0.0.1';
const INI_FILE = 'pgbouncer.ini';
const AUTH_FILE = 'userlist.txt';

/** Where this pgbouncer lives; the ini function puts these into the config. */
export interface PgBouncerRuntime {
  host: string;
  port: number;
  dir: string;
  /** The auth file written from `userlist`. */
  authFile: string;
  pidFile: string;
  /** The directory for the unix socket, private to this pgbouncer. */
  socketDir: string;
}

export interface StartPgBouncerOptions {
  /**
   * The config. Usually a function of the runtime values, e.g.
   * `(rt) => pgbouncerIni({ ..., listenPort: rt.port, authFile: rt.authFile, unixSocketDir: rt.socketDir })`.
   * A string is written as it is and must already listen on `port` and name its own auth file.
   */
  ini: string | ((runtime: PgBouncerRuntime) => string);
  /** Content of the auth file (userlist.txt). */
  userlist: string;
  /** Default: a free port, picked again if another process takes it first. */
  port?: number;
  startTimeoutMs?: number;
  /** Receives pgbouncer's log output as it arrives. */
  onLog?: (text: string) => void;
}

export interface PgBouncer {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  /** Pid of the running pgbouncer; a restart changes it. */
  readonly pid: number;
  /** A connection URL through this pgbouncer. */
  url(user: string, password: string, database: string): string;
  /** The most recent log output, for error messages and debugging. */
  log(): string;
  /** Stops pgbouncer (closing every client and server connection) and starts it again on the same port. */
  restart(): Promise<void>;
  /** Kills pgbouncer, waits until it is gone and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startPgBouncer(options: StartPgBouncerOptions): Promise<PgBouncer> {
  const binary = assertPgBouncerBinary();
  const runtimeDir = await createRuntimeDir();
  try {
    const authFile = await runtimeDir.write(AUTH_FILE, options.userlist);
    const launched = await launchOnPort(binary, runtimeDir, authFile, options);
    return handle(binary, runtimeDir, launched, options);
  } catch (error) {
    await runtimeDir.remove();
    throw error;
  }
}

interface Launched {
  child: ChildProcess;
  port: number;
  iniFile: string;
  log: LogTail;
  unguard: () => void;
}

// A port found free can be taken before pgbouncer binds it; only a port we picked is re-picked.
async function launchOnPort(binary: string, runtimeDir: RuntimeDir, authFile: string, options: StartPgBouncerOptions, attempts = 3): Promise<Launched> {
  const port = options.port ?? (await findFreePort(HOST));
  const runtime: PgBouncerRuntime = {
    host: HOST,
    port,
    dir: runtimeDir.dir,
    authFile,
    pidFile: path.join(runtimeDir.dir, 'pgbouncer.pid'),
    socketDir: runtimeDir.dir,
  };
  const ini = typeof options.ini === 'function' ? options.ini(runtime) : options.ini;
  const iniFile = await runtimeDir.write(INI_FILE, ini);
  try {
    return await launch(binary, runtimeDir, iniFile, port, options);
  } catch (error) {
    const portTaken = error instanceof PgBouncerStartError && /Address already in use/.test(error.message);
    if (portTaken && options.port === undefined && attempts > 1) return launchOnPort(binary, runtimeDir, authFile, options, attempts - 1);
    throw error;
  }
}

async function launch(binary: string, runtimeDir: RuntimeDir, iniFile: string, port: number, options: StartPgBouncerOptions): Promise<Launched> {
  const args = runtimeDir.runAs ? ['-u', runtimeDir.runAs.name, iniFile] : [iniFile];
  const child = spawn(binary, args, { cwd: runtimeDir.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = new LogTail(options.onLog);
  const outputClosed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString()));
  let failure: string | undefined;
  child.once('error', (error) => (failure = `could not be started (${error.message})`));
  child.once('exit', (code, signal) => (failure ??= `exited during start (${signal ?? `code ${code}`})`));
  const unguard = killOnExit(child, runtimeDir.removeSync);
  try {
    await waitUntilAnswering(HOST, port, { timeoutMs: options.startTimeoutMs ?? 10_000, failed: () => failure });
  } catch (error) {
    await terminate(child);
    unguard();
    await Promise.race([outputClosed, sleep(1_000)]); // the last stderr lines usually hold the reason
    throw new PgBouncerStartError(port, (error as Error).message, log.text());
  }
  return { child, port, iniFile, log, unguard };
}

function handle(binary: string, runtimeDir: RuntimeDir, first: Launched, options: StartPgBouncerOptions): PgBouncer {
  let current: Launched | undefined = first;
  let stopped: Promise<void> | undefined;
  const shutdown = async (): Promise<void> => {
    if (!current) return;
    await terminate(current.child);
    current.unguard();
    current = undefined;
  };
  return {
    host: HOST,
    port: first.port,
    dir: runtimeDir.dir,
    get pid() {
      return current?.child.pid ?? -1;
    },
    url: (user, password, database) => connectionUrl(first.port, user, password, database),
    log: () => (current ?? first).log.text(),
    restart: async () => {
      if (stopped) throw new Error('pgbouncer was stopped; start a new one instead of restarting it');
      await shutdown();
      current = await launch(binary, runtimeDir, first.iniFile, first.port, options);
    },
    stop: () =>
      (stopped ??= (async () => {
        await shutdown();
        await runtimeDir.remove();
      })()),
  };
}

// PgBouncer 1.18 treats SIGTERM as an immediate shutdown (SIGINT would wait for clients to
// finish); SIGKILL is the fallback so a stop never leaves a process behind.
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const inTime = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
  if (inTime) return;
  child.kill('SIGKILL');
  await exited;
}

function connectionUrl(port: number, user: string, password: string, database: string): string {
  return `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(password)}@${HOST}:${port}/${encodeURIComponent(database)}`;
}

/** Keeps the last lines of output for error messages. */
class LogTail {
  private lines: string[] = [];
  constructor(private readonly onLog?: (text: string) => void) {}
  push(text: string): void {
    this.onLog?.(text);
    this.lines.push(...text.split('\n').filter(Boolean));
    if (this.lines.length > 200) this.lines = this.lines.slice(-200);
  }
  text(): string {
    return this.lines.join('\n');
  }
}
