import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

// Child processes of the suites: every one is stopped by its own pid, never by name.

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

/** Runs a command to completion; the output (stdout and stderr together) is kept for assertions and errors. */
export interface RunOptions extends SpawnOptions {
  timeoutMs?: number;
  /** Written to the command's stdin (closed when absent). */
  input?: string;
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
  const { timeoutMs = 120_000, input, ...spawnOptions } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...spawnOptions, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    if (input !== undefined) child.stdin?.end(input);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => {
      output += `\n[infra-tests] timed out after ${timeoutMs} ms; killing pid ${child.pid}`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** run(), failing with the command's output when it does not exit 0. */
export async function runOk(command: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) {
    throw new Error(`\`${[command, ...args].join(' ')}\` failed (${result.signal ?? `exit ${result.code}`}):\n${tail(result.output, 60)}`);
  }
  return result.output;
}

export interface Service {
  readonly pid: number;
  /** The recent output, for error messages. */
  log(): string;
  exited(): string | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a long-running process (a server); the caller waits for it to answer and stops it by its pid. */
export function startService(command: string, args: readonly string[], options: SpawnOptions): Service {
  const child: ChildProcess = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exit: string | undefined;
  const gone = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = signal ?? `exit ${code}`;
      resolve();
    }),
  );
  child.once('error', (error) => (exit = `error: ${error.message}`));
  // A test runner that dies must not leave the server behind.
  const guard = () => child.kill('SIGKILL');
  process.once('exit', guard);
  let stopping: Promise<void> | undefined;
  return {
    pid,
    log: () => output,
    exited: () => exit,
    stop: (graceMs = 5_000) =>
      (stopping ??= (async () => {
        process.removeListener('exit', guard);
        if (exit !== undefined) return;
        child.kill('SIGTERM');
        const inTime = await Promise.race([gone.then(() => true), sleep(graceMs).then(() => false)]);
        if (!inTime) {
          child.kill('SIGKILL');
          await gone;
        }
      })()),
  };
}

/** Polls `url` until it answers `expectStatus` (redirects followed); fails early when the server exits. */
export async function waitForHttp(url: string, service: Service, { timeoutMs = 90_000, expectStatus = 200 } = {}): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const exit = service.exited();
    if (exit !== undefined) throw new Error(`the server (pid ${service.pid}) ended (${exit}) before ${url} answered:\n${tail(service.log(), 40)}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      if (response.status === expectStatus) return response;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${expectStatus} within ${timeoutMs} ms (${last}):\n${tail(service.log(), 40)}`);
    await sleep(250);
  }
}

export function tail(text: string, lines: number): string {
  return text.split('\n').slice(-lines).join('\n');
}
