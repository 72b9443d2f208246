import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { findFreePort } from '@repo/localdb/cluster';

// A built app's standalone server (the one the Docker image runs) in production mode on a free port, for the runs that
// drive it over HTTP from Node: the web benchmark (bench/src/sections/web.ts) and the reliability soak
// (reliability/src/soak). Playwright's suites start theirs through playwright.config.ts's webServer instead.

export interface StartedWebServer {
  origin: string;
  /** The node process that serves (server.js runs in it): its /proc/<pid>/status is the server's memory. */
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once the process is gone (or killed). */
  stop(): Promise<void>;
}

export interface WebServerOptions {
  /** The standalone build's server.js (apps/web/.next/standalone/apps/web/server.js). */
  serverJs: string;
  /** Added to this process's environment: the database URLs, the secrets, SMTP_URL... */
  env: Record<string, string>;
  /** A page that answers 200 once the server is up (default /sign-in). */
  readyPath?: string;
  /** Node's own flags, before server.js (e.g. --trace-gc). */
  nodeArgs?: string[];
  /** Gets the server's standard output as it comes (otherwise it is dropped). */
  onStdout?: (text: string) => void;
  /** How long to wait for it (default 60 s). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export async function startWebServer(options: WebServerOptions): Promise<StartedWebServer> {
  const port = await findFreePort('127.0.0.1');
  const origin = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), options.serverJs], {
    cwd: path.dirname(options.serverJs),
    stdio: ['ignore', options.onStdout ? 'pipe' : 'ignore', 'pipe'],
    env: {
      ...process.env,
      NEXTAUTH_URL: origin,
      LOG_LEVEL: 'error',
      ...options.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
    },
  });
  const onStdout = options.onStdout;
  if (onStdout) {
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (text: string) => onStdout(text));
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const readyPath = options.readyPath ?? '/sign-in';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the web server exited with ${child.exitCode}: ${stderr.trim()}`);
    try {
      if ((await fetch(`${origin}${readyPath}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the web server did not answer within ${timeoutMs / 1000} s: ${stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  options.log?.(`web server on ${origin} (pid ${child.pid})`);
  return { origin, pid: child.pid!, stop };
}
