import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { startLocalStack, type LocalStack } from '@repo/db/local';
import { startWebServer, type StartedWebServer } from '@repo/e2e/web-server';
import { startTestSmtpServer, type TestSmtpServer } from '@repo/mail/test-server';
import { HeapWatcher } from './heap';

/** The repository's root (not ../config's ROOT: config imports the parts, which import this). */
const ROOT = path.resolve(import.meta.dirname, '../../..');

/** The standalone server of the built web app (apps/web's build script copies the static files next to it). */
export const WEB_BUILD = path.join(ROOT, 'apps/web/.next');
export const SERVER_JS = path.join(WEB_BUILD, 'standalone/apps/web/server.js');

/** What the soak runs against: what `npm test`'s browser step starts, with the built app in production mode. */
export interface SoakApp {
  stack: LocalStack;
  smtp: TestSmtpServer;
  server: StartedWebServer;
  /** Its heap, from its --trace-gc lines. */
  heap: HeapWatcher;
  stop(): Promise<void>;
}

/** `npx turbo run build --filter=web`, when there is no build yet (npm test builds it before this step). */
async function buildWeb(log: (line: string) => void): Promise<void> {
  log(`${path.relative(ROOT, SERVER_JS)} is missing: building the web app first (npx turbo run build --filter=web)`);
  const child = spawn('npx', ['turbo', 'run', 'build', '--filter=web'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`building the web app failed (exit ${code})`);
}

export async function startSoakApp(env: Record<string, string>, log: (line: string) => void): Promise<SoakApp> {
  if (!existsSync(SERVER_JS)) await buildWeb(log);
  const stack = await startLocalStack();
  let smtp: TestSmtpServer | undefined;
  try {
    // A real SMTP server: the web app refuses to start without SMTP_URL outside development. The soak mails nothing.
    smtp = await startTestSmtpServer();
    const heap = new HeapWatcher();
    const server = await startWebServer({
      serverJs: SERVER_JS,
      env: { ...stack.env, SMTP_URL: smtp.url, ...env },
      nodeArgs: ['--trace-gc'],
      onStdout: (text) => heap.read(text),
      log,
    });
    const started = smtp;
    return {
      stack,
      smtp,
      server,
      heap,
      stop: async () => {
        await server.stop();
        await started.close();
        await stack.stop();
      },
    };
  } catch (error) {
    await smtp?.close();
    await stack.stop();
    throw error;
  }
}
