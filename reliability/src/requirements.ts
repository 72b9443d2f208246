import { chromiumProblem } from '@repo/e2e/chromium';
import { pgbouncerAvailable } from '@repo/localdb/pgbouncer';
import type { Requirement } from './part';

/** What is missing for a part, as one sentence per tool with how to install it; empty when it can run. */
export function missingFor(requires: readonly Requirement[]): { tool: string; reason: string }[] {
  const missing: { tool: string; reason: string }[] = [];
  for (const tool of requires) {
    const reason = tool === 'pgbouncer' ? pgbouncerProblem() : chromiumProblem();
    if (reason !== undefined) missing.push({ tool, reason });
  }
  return missing;
}

function pgbouncerProblem(): string | undefined {
  const found = pgbouncerAvailable();
  return found.ok ? undefined : found.reason;
}

export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}
