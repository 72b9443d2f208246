/**
 * `npm run test:e2e` (turbo runs it after `build`): starts a throw-away copy of the dev database
 * (@repo/db/local: embedded PostgreSQL, init.sql, the seeded rls, schema and database tenants) and a
 * PgBouncer in transaction mode in front of it, then runs Playwright with their environment. Playwright
 * starts the standalone server twice (playwright.config.ts): once on the database directly, once through
 * PgBouncer. Everything started here is stopped here, also on Ctrl-C.
 *
 * Arguments go to `playwright test` (e.g. `npm run test:e2e -- --grep tenant`).
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { startLocalPgBouncer, startLocalStack, type LocalStack } from '@repo/db/local';
import { findFreePort } from '@repo/localdb/cluster';
import { e2eSkipReason } from '@repo/e2e/chromium';
import { requirePgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import { startTestSmtpServer, type TestSmtpServer } from '@repo/mail/test-server';

const AUTH_PASSWORD = 'e2e-pgbouncer-auth-password';

async function startBouncer(stack: LocalStack): Promise<{ bouncer: PgBouncer; databaseUrl: string; authDatabaseUrl: string }> {
  const local = await startLocalPgBouncer({
    adminUrl: stack.urls.adminDatabaseUrl,
    authPassword: AUTH_PASSWORD,
    // Fewer server connections than the app's pool, so requests of different tenants share them.
    settings: { poolMode: 'transaction', defaultPoolSize: 4 },
  });
  // app_user's tenant requests and app_auth's sign-in lookups both go through it, as in the compose stack.
  return { bouncer: local.bouncer, databaseUrl: local.through(stack.urls.databaseUrl), authDatabaseUrl: local.through(stack.urls.authDatabaseUrl) };
}

function runPlaywright(env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn('npx', ['playwright', 'test', ...process.argv.slice(2)], { stdio: 'inherit', env });
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

async function main(): Promise<number> {
  // No browser outside CI: Playwright skips the specs (and CI fails in e2eSkipReason); no database needed then.
  if (e2eSkipReason() !== undefined) return runPlaywright(process.env);
  const started = Date.now();
  const stack = await startLocalStack();
  let bouncer: PgBouncer | undefined;
  let smtp: TestSmtpServer | undefined;
  const logs = await mkdtemp(path.join(os.tmpdir(), 'web-e2e-logs-'));
  try {
    // A real SMTP server every web server sends to; each mail is also written to the mailbox folder the specs read
    // (e2e/mailbox.ts), since they run in Playwright's worker processes.
    const mailbox = path.join(logs, 'mailbox');
    smtp = await startTestSmtpServer({ dir: mailbox });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...stack.env,
      E2E_ADMIN_DATABASE_URL: stack.urls.adminDatabaseUrl,
      // Free ports, so a dev server on 3000 (or another run) is never mistaken for ours.
      E2E_WEB_PORT: String(await findFreePort('127.0.0.1')),
      // The short-timer server's log, which the sign-in limit spec reads.
      E2E_WEB_SHORT_LOG: path.join(logs, 'short-server.log'),
      SMTP_URL: smtp.url,
      E2E_MAILBOX_DIR: mailbox,
      // Every spec signs up from 127.0.0.1: the per-address limit is checked by its own spec on the short server.
      SIGN_UP_MAX_PER_ADDRESS: '1000',
    };
    do env.E2E_WEB_PGBOUNCER_PORT = String(await findFreePort('127.0.0.1'));
    while (env.E2E_WEB_PGBOUNCER_PORT === env.E2E_WEB_PORT);
    do env.E2E_WEB_SHORT_PORT = String(await findFreePort('127.0.0.1'));
    while (env.E2E_WEB_SHORT_PORT === env.E2E_WEB_PORT || env.E2E_WEB_SHORT_PORT === env.E2E_WEB_PGBOUNCER_PORT);
    if (requirePgBouncer()) {
      const started = await startBouncer(stack);
      bouncer = started.bouncer;
      env.E2E_PGBOUNCER_DATABASE_URL = started.databaseUrl;
      env.E2E_PGBOUNCER_AUTH_DATABASE_URL = started.authDatabaseUrl;
    }
    console.log(
      `[e2e] database ready in ${((Date.now() - started) / 1000).toFixed(1)} s${bouncer ? `, PgBouncer (transaction mode) on port ${bouncer.port}` : ''}`,
    );
    return await runPlaywright(env);
  } finally {
    await bouncer?.stop();
    await smtp?.close();
    await stack.stop();
    await rm(logs, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('[e2e] failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
