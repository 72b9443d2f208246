import { existsSync } from 'node:fs';
import { recordSkip } from '@repo/localdb/skips';

// How every app's e2e run finds and starts Chromium. Always the system browser (Debian `chromium`), never one
// that Playwright downloads: the CI image and the dev machines have no network for that.

const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

// --user-data-dir is absent on purpose: Playwright passes a fresh temporary one itself and refuses the flag in args.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox', // the runs are as root in a container, where Chromium's sandbox cannot start
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
] as const;

export interface ChromiumLaunchOptions {
  executablePath: string;
  args: string[];
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
}

export function inCI(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function chromiumLaunchOptions(): ChromiumLaunchOptions {
  return { executablePath: chromiumPath(), args: [...CHROMIUM_ARGS] };
}

/** The one-line reason Chromium cannot be used, or undefined when it is there. */
export function chromiumProblem(): string | undefined {
  const path = chromiumPath();
  if (existsSync(path)) return undefined;
  return `Chromium not found at ${path}: apt-get install -y chromium, or set CHROMIUM_PATH`;
}

export function assertChromium(): void {
  const problem = chromiumProblem();
  if (problem !== undefined) throw new Error(problem);
}

/**
 * Why the e2e tests should be skipped, or undefined to run them. A missing Chromium throws in CI, where a
 * skipped browser test would pass silently; elsewhere it is a reason to skip, printed once per run.
 */
export function e2eSkipReason(): string | undefined {
  if (inCI()) {
    assertChromium();
    return undefined;
  }
  return chromiumProblem();
}

/**
 * Call at the top of every Playwright spec file: outside CI a missing Chromium skips the file with
 * the printed reason, before a fixture tries to launch it; in CI it throws (e2eSkipReason).
 */
export function skipWithoutChromium(test: { skip(condition: boolean, reason?: string): void }): void {
  const reason = e2eSkipReason();
  if (reason !== undefined) recordSkip('chromium', reason);
  test.skip(reason !== undefined, reason);
}
