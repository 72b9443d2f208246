/**
 * `npm run test:e2e` (turbo runs it after `build`): starts a throw-away copy of the dev database
 * (@repo/db/local: embedded PostgreSQL, init.sql, the seeded rls, schema and database tenants), then runs
 * Playwright with its environment. Playwright starts two standalone servers (playwright.config.ts): this app,
 * and apps/web, where the admin of a tenant created here signs in. Everything started here is stopped here,
 * also on Ctrl-C.
 *
 * apps/web must be built (its standalone server.js): when it is missing, it is built here first. Set
 * E2E_BUILD_WEB=1 to rebuild it anyway.
 *
 * Arguments go to `playwright test` (e.g. `npm run test:e2e -- --grep delete`).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startLocalStack } from '@repo/db/local';
import { e2eSkipReason } from '@repo/e2e/chromium';
import { findFreePort } from '@repo/localdb/cluster';
import { startTestSmtpServer } from '@repo/mail/test-server';

import { startSecondServer } from './second-server';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const standalone = (app: string) => path.join(ROOT, `apps/${app}/.next/standalone`);
const WEB_SERVER = path.join(standalone('web'), 'apps/web/server.js');

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<number> {
  const child = spawn(command, args, { stdio: 'inherit', cwd: options.cwd, env: options.env ?? process.env });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function ensureWebBuild(): Promise<void> {
  if (existsSync(WEB_SERVER) && process.env.E2E_BUILD_WEB !== '1') return;
  console.log('[e2e] building apps/web (its standalone server is where the new tenant admin signs in)');
  const code = await run('npm', ['run', 'build', '-w', 'web'], { cwd: ROOT });
  if (code !== 0 || !existsSync(WEB_SERVER)) throw new Error(`apps/web did not build (exit ${code}): the admin e2e needs ${WEB_SERVER}`);
}

/**
 * Copies both standalone outputs to a temporary directory and serves them from there: a build started while
 * the suite runs (turbo from the root, another engineer's `next build`) then cannot swap files under a running
 * server. A standalone output is self-contained (about 50 MB); symlinks are kept as they are.
 */
async function snapshotServers(dir: string): Promise<{ admin: string; web: string }> {
  const servers = { admin: '', web: '' };
  for (const app of ['admin', 'web'] as const) {
    const target = path.join(dir, app);
    await cp(standalone(app), target, { recursive: true, verbatimSymlinks: true });
    servers[app] = path.join(target, 'apps', app);
  }
  return servers;
}

async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await findFreePort('127.0.0.1');
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}

async function main(): Promise<number> {
  // No browser outside CI: Playwright skips the specs (and CI fails in e2eSkipReason); no database needed then.
  if (e2eSkipReason() !== undefined) return run('npx', ['playwright', 'test', ...process.argv.slice(2)]);
  await ensureWebBuild();
  const started = Date.now();
  const work = await mkdtemp(path.join(os.tmpdir(), 'admin-e2e-'));
  const archives = path.join(work, 'archives');
  const servers = await snapshotServers(work);
  const stack = await startLocalStack();
  // A second PostgreSQL server (drained until e2e/servers.spec.ts opens it), in TENANCY_SERVERS for both apps.
  const second = await startSecondServer(stack).catch(async (error: unknown) => {
    await stack.stop();
    throw error;
  });
  // The web server these specs start mails sign-up and invitation links: it needs a real SMTP server to send to.
  const smtp = await startTestSmtpServer({ dir: path.join(work, 'mailbox') });
  try {
    // Free ports, so a dev server on 3000/3001 (or another run) is never mistaken for ours.
    const [adminPort, webPort, shortPort] = await freePorts(3);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...stack.env,
      ...second.env,
      ARCHIVE_DIR: archives,
      E2E_ADMIN_DATABASE_URL: stack.urls.adminDatabaseUrl,
      E2E_ADMIN_PORT: String(adminPort),
      E2E_WEB_PORT: String(webPort),
      E2E_ADMIN_SHORT_PORT: String(shortPort),
      // The short-timer server's log, which the sign-in limit spec reads.
      E2E_ADMIN_SHORT_LOG: path.join(work, 'short-server.log'),
      E2E_ADMIN_SERVER_DIR: servers.admin,
      E2E_WEB_SERVER_DIR: servers.web,
      SMTP_URL: smtp.url,
    };
    console.log(
      `[e2e] database ready in ${((Date.now() - started) / 1000).toFixed(1)} s; admin on ${adminPort} (short timers on ${shortPort}), web on ${webPort}`,
    );
    return await run('npx', ['playwright', 'test', ...process.argv.slice(2)], { env });
  } finally {
    await smtp.close();
    await second.stop();
    await stack.stop();
    await rm(work, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[e2e] failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
