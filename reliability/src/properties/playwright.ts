import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runCommand } from './command';

/** The tag a Playwright spec's title carries to be run as a property test. */
export const PROPERTY_TAG = '@property';

export interface PlaywrightSummary {
  tests: number;
  failed: number;
  skipped: number;
  exitCode: number | null;
  failures: string[];
}

interface JsonReport {
  stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  suites?: Suite[];
}
interface Suite {
  title: string;
  suites?: Suite[];
  specs?: { title: string; ok: boolean; file: string }[];
}

/**
 * Runs the app's Playwright specs tagged @property through its e2e runner (`npm run test:e2e`, which starts the
 * database, PgBouncer and the mail server its config expects, and passes the arguments on to Playwright) and reads
 * the JSON report.
 */
export async function runPlaywright(appDir: string, env: Record<string, string>, workFile: (name: string) => string): Promise<PlaywrightSummary> {
  const label = path.basename(appDir);
  const report = workFile(`${label}.playwright.json`);
  const { code, tail } = await runCommand('npm', ['run', 'test:e2e', '--', '--grep', PROPERTY_TAG, '--reporter=json'], {
    cwd: appDir,
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_NAME: report },
    logFile: workFile(`${label}.playwright.log`),
  });
  if (!existsSync(report)) return { tests: 0, failed: 0, skipped: 0, exitCode: code, failures: [`${label}: no report (exit ${code})\n${tail}`] };
  const json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
  const { expected, unexpected, flaky, skipped } = json.stats;
  const failing = (suite: Suite): string[] => [
    ...(suite.specs ?? []).filter((s) => !s.ok).map((s) => `${label} ${s.file}: ${s.title}`),
    ...(suite.suites ?? []).flatMap(failing),
  ];
  return { tests: expected + unexpected + flaky, failed: unexpected, skipped, exitCode: code, failures: (json.suites ?? []).flatMap(failing) };
}

/** Whether the app has the standalone build its Playwright servers start (`node .next/standalone/apps/<app>/server.js`). */
export function built(appDir: string): boolean {
  return existsSync(path.join(appDir, '.next', 'standalone', 'apps', path.basename(appDir), 'server.js'));
}
