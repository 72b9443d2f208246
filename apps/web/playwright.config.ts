import { chromiumLaunchOptions, e2eSkipReason, inCI } from '@repo/e2e/chromium';
import { defineConfig, type PlaywrightTestConfig } from '@playwright/test';

import { SHORT_LOG, SHORT_PORT, shortServerEnv } from './e2e/short-server';

// Run through `npm run test:e2e` (e2e/run.ts): it starts the database and PgBouncer and passes their
// environment down. Three standalone servers (the one the Docker image runs, not `next start`), built first by
// turbo's build task: "direct" on DATABASE_URL and AUTH_DATABASE_URL, and "pgbouncer" on E2E_PGBOUNCER_DATABASE_URL
// and E2E_PGBOUNCER_AUTH_DATABASE_URL in transaction mode, which runs the per-strategy flow again. The third, "short"
// (e2e/short-server.ts), serves the specs that wait out a sign-in window or a session lifetime.

const DIRECT_PORT = Number(process.env.E2E_WEB_PORT ?? 3210);
const BOUNCER_PORT = Number(process.env.E2E_WEB_PGBOUNCER_PORT ?? 3211);

const url = (port: number) => `http://127.0.0.1:${port}`;

const skipReason = e2eSkipReason();
if (skipReason !== undefined) console.warn(`Skipping web e2e: ${skipReason}`);
if (skipReason === undefined && (!process.env.DATABASE_URL || !process.env.AUTH_DATABASE_URL)) {
  throw new Error('DATABASE_URL or AUTH_DATABASE_URL is not set: run the web e2e suite with `npm run test:e2e` (e2e/run.ts starts the database).');
}
const bouncerUrl = process.env.E2E_PGBOUNCER_DATABASE_URL;
const bouncerAuthUrl = process.env.E2E_PGBOUNCER_AUTH_DATABASE_URL;

type WebServer = Extract<NonNullable<PlaywrightTestConfig['webServer']>, { command: string }>;

function server(port: number, extraEnv: Record<string, string> = {}, logFile?: string): WebServer {
  return {
    command: `node .next/standalone/apps/web/server.js${logFile ? ` >> '${logFile}' 2>&1` : ''}`,
    env: { PORT: String(port), HOSTNAME: '127.0.0.1', NEXTAUTH_URL: url(port), LOG_LEVEL: 'error', ...extraEnv },
    url: `${url(port)}/sign-in`,
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
  // Two servers and a browser on two cores: more workers only make every test slower.
  workers: 2,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    launchOptions: chromiumLaunchOptions(),
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  projects: [
    { name: 'direct', use: { baseURL: url(DIRECT_PORT) } },
    ...(bouncerUrl && bouncerAuthUrl ? [{ name: 'pgbouncer', use: { baseURL: url(BOUNCER_PORT) }, testMatch: /strategies\.spec\.ts/ }] : []),
  ],
  webServer:
    skipReason === undefined
      ? [
          server(DIRECT_PORT),
          server(SHORT_PORT, shortServerEnv(), SHORT_LOG),
          ...(bouncerUrl && bouncerAuthUrl
            ? [
                server(BOUNCER_PORT, {
                  DATABASE_URL: bouncerUrl,
                  AUTH_DATABASE_URL: bouncerAuthUrl,
                  TENANCY_POOLER: 'pgbouncer-transaction',
                  DATABASE_POOL_SIZE: '8',
                }),
              ]
            : []),
        ]
      : undefined,
});
