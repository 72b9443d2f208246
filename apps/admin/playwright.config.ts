import { chromiumLaunchOptions, e2eSkipReason, inCI } from '@repo/e2e/chromium';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';
import { fileURLToPath } from 'node:url';

import { SHORT_LOG, SHORT_PORT, shortServerEnv } from './e2e/short-server';

// Run through `npm run test:e2e` (e2e/run.ts): it starts the database and passes its environment down.
// Three standalone servers (the ones the Docker images run, not `next start`): this app, built first by turbo's
// build task, apps/web, where the first admin of a tenant created here signs in, and this app again with timers of
// seconds (e2e/short-server.ts) for the specs that wait out a sign-in window or a session lifetime.

const ADMIN_PORT = Number(process.env.E2E_ADMIN_PORT ?? 3311);
const WEB_PORT = Number(process.env.E2E_WEB_PORT ?? 3310);
const url = (port: number) => `http://127.0.0.1:${port}`;

const skipReason = e2eSkipReason();
if (skipReason !== undefined) console.warn(`Skipping admin e2e: ${skipReason}`);
// Both servers inherit e2e/run.ts's environment: web signs in through AUTH_DATABASE_URL (app_auth).
if (skipReason === undefined && (!process.env.OPERATOR_DATABASE_URL || !process.env.AUTH_DATABASE_URL)) {
  throw new Error('OPERATOR_DATABASE_URL or AUTH_DATABASE_URL is not set: run the admin e2e suite with `npm run test:e2e` (e2e/run.ts starts the database).');
}

type WebServer = Extract<NonNullable<PlaywrightTestConfig['webServer']>, { command: string }>;

function server(app: 'admin' | 'web', port: number, readyPath: string, extraEnv: Record<string, string> = {}, logFile?: string): WebServer {
  return {
    // e2e/run.ts serves copies of the standalone outputs (see snapshotServers there).
    command: `node server.js${logFile ? ` >> '${logFile}' 2>&1` : ''}`,
    cwd: process.env[`E2E_${app.toUpperCase()}_SERVER_DIR`] ?? fileURLToPath(new URL(`../${app}/.next/standalone/apps/${app}`, import.meta.url)),
    env: { PORT: String(port), HOSTNAME: '127.0.0.1', NEXTAUTH_URL: url(port), LOG_LEVEL: 'warn', ...extraEnv },
    url: `${url(port)}${readyPath}`,
    // Never reuse a server: one left running from elsewhere would talk to another database.
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  };
}

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  forbidOnly: inCI(),
  reporter: 'list',
  // Two servers, a database and a browser on two cores; the specs share one database, in order.
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: url(ADMIN_PORT),
    launchOptions: chromiumLaunchOptions(),
    viewport: { width: 1400, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer:
    skipReason === undefined
      ? [server('admin', ADMIN_PORT, '/sign-in'), server('web', WEB_PORT, '/sign-in'), server('admin', SHORT_PORT, '/sign-in', shortServerEnv(), SHORT_LOG)]
      : undefined,
});
