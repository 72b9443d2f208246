import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Suites that could not run on this machine, written down so that `npm test` can say so at its end
 * (scripts/test.mjs) instead of in the middle of a long log. Outside CI only: in CI a missing tool fails the run.
 */

/** The file `npm test` reads the skips from; each line is one Skip as JSON. Unset: nothing is written. */
export const SKIP_LEDGER_ENV = 'TEST_SKIP_LEDGER';

export interface Skip {
  /** The Debian package that provides the missing tool. */
  tool: string;
  reason: string;
  /** The file of the suite that skipped (absolute). */
  file: string;
}

/** Prints why a suite is skipped and, when `npm test` asked for it, writes it down. */
export function recordSkip(tool: string, reason: string): void {
  const file = callerFile();
  console.warn(`[skipped] ${file}: ${reason}`);
  const ledger = process.env[SKIP_LEDGER_ENV];
  if (ledger) appendFileSync(ledger, `${JSON.stringify({ tool, reason, file } satisfies Skip)}\n`);
}

const HERE = fileURLToPath(new URL('..', import.meta.url));

/** The first file on the stack outside this package: the suite that asked. */
function callerFile(): string {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  for (const frame of frames) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):\d+:\d+\)?$/.exec(frame.trim());
    if (!match) continue;
    const file = match[1]!.startsWith('file://') ? fileURLToPath(match[1]!) : match[1]!;
    if (!file.startsWith(HERE) && !file.includes('/node_modules/')) return file;
  }
  return 'unknown';
}
