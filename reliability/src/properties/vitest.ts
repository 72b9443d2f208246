import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROPERTY_SCALE_ENV } from '@repo/properties';
import { runCommand } from './command';

/** The packages' vitest testTimeout (60 s), which their property tests are sized for at scale 1. */
const TEST_TIMEOUT_MS = 60_000;

export interface VitestSummary {
  files: number;
  tests: number;
  failedTests: number;
  /** Files that failed as a whole (an error while loading, a failing beforeAll). */
  failedFiles: number;
  exitCode: number | null;
  /** Names of the failing tests, or the run's last output when it wrote no report. */
  failures: string[];
}

interface JsonReport {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  testResults: { name: string; status: string; message?: string; assertionResults: { fullName: string; status: string }[] }[];
}

/** Runs `files` with the package's own vitest config (its database setup) and reads vitest's JSON report. */
export async function runVitest(
  dir: string,
  files: readonly string[],
  env: Record<string, string>,
  workFile: (name: string) => string,
): Promise<VitestSummary> {
  const label = path.basename(dir);
  const report = workFile(`${label}.vitest.json`);
  // A test's runs grow with the scale, and so does the time it may take (the packages' own limit is for scale 1).
  const timeout = TEST_TIMEOUT_MS * Math.max(1, Number(env[PROPERTY_SCALE_ENV] ?? 1));
  const { code, tail } = await runCommand('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${report}`, `--testTimeout=${timeout}`, ...files], {
    cwd: dir,
    env,
    logFile: workFile(`${label}.vitest.log`),
  });
  if (!existsSync(report))
    return {
      files: files.length,
      tests: 0,
      failedTests: 0,
      failedFiles: files.length,
      exitCode: code,
      failures: [`${label}: no report (exit ${code})\n${tail}`],
    };
  const json = JSON.parse(readFileSync(report, 'utf8')) as JsonReport;
  const failedFiles = json.testResults.filter((r) => r.status === 'failed' && r.assertionResults.every((a) => a.status !== 'failed'));
  return {
    files: json.testResults.length,
    // Passed ones only: a skipped or todo test proves nothing.
    tests: json.numPassedTests,
    failedTests: json.numFailedTests,
    failedFiles: failedFiles.length,
    exitCode: code,
    failures: [
      ...json.testResults.flatMap((r) => r.assertionResults.filter((a) => a.status === 'failed').map((a) => `${path.relative(dir, r.name)}: ${a.fullName}`)),
      ...failedFiles.map((r) => `${path.relative(dir, r.name)}: ${(r.message ?? 'failed').split('\n')[0]}`),
    ],
  };
}
