import { chromiumLaunchOptions, e2eSkipReason, inCI } from '@repo/localdb/chromium';
import { defineConfig } from '@playwright/test';

const PORT = 3000;
const baseURL = `http://127.0.0.1:${PORT}`;

const skipReason = e2eSkipReason();
if (skipReason !== undefined) console.warn(`Skipping web e2e: ${skipReason}`);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  forbidOnly: inCI(),
  reporter: 'list',
  use: {
    baseURL,
    launchOptions: chromiumLaunchOptions(),
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  // The standalone server the Docker image runs, not `next start` (which warns that it does not support
  // standalone output). It needs a build first: turbo's test:e2e task depends on build, which also copies
  // .next/static into the standalone folder.
  webServer:
    skipReason === undefined
      ? {
          command: 'node .next/standalone/apps/web/server.js',
          env: { PORT: String(PORT), HOSTNAME: '127.0.0.1' },
          url: baseURL,
          reuseExistingServer: !inCI(),
          timeout: 60_000,
          stdout: 'pipe',
        }
      : undefined,
});
