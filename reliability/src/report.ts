import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { pgbouncerAvailable } from '@repo/localdb/pgbouncer';
import type { Check, Mode } from './part';

export interface PartOutcome {
  part: string;
  title: string;
  seconds: number;
  /** Set when the part did not run: the missing tool and why (outside CI only). */
  skipped?: string;
  checks: Check[];
}

export interface Report {
  mode: Mode;
  seed: number;
  /** The command that replays this run. */
  replay: string;
  startedAt: string;
  seconds: number;
  passed: boolean;
  versions: { node: string; postgres: string; pgbouncer: string };
  machine: { cpus: number; memoryGiB: number; platform: string };
  parts: PartOutcome[];
}

export function versions(postgres: string): Report['versions'] {
  return { node: process.version, postgres, pgbouncer: pgbouncerVersion() };
}

function pgbouncerVersion(): string {
  const found = pgbouncerAvailable();
  if (!found.ok) return 'not installed';
  const out = execFileSync(found.path, ['--version'], { encoding: 'utf8' });
  return /PgBouncer\s+(\S+)/i.exec(out)?.[1] ?? out.split('\n')[0]!.trim();
}

export function machine(): Report['machine'] {
  return { cpus: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), platform: `${os.platform()} ${os.release()}` };
}

export function writeReport(file: string, report: Report): void {
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
}

/** The table printed at the end of a run: one line per check. */
export function printSummary(report: Report, file: string): void {
  const rows = report.parts.flatMap((part) =>
    part.skipped !== undefined
      ? [{ part: part.part, check: '(skipped)', figures: part.skipped, result: 'SKIPPED' }]
      : part.checks.map((check) => ({
          part: part.part,
          check: check.name,
          figures: Object.entries(check.figures)
            .map(([key, value]) => `${key} ${typeof value === 'number' ? value.toLocaleString('en-US') : value}`)
            .join(', '),
          result: check.passed ? 'ok' : `FAILED: ${check.must}${check.detail ? ` (${check.detail})` : ''}`,
        })),
  );
  console.log(`\n=== reliability, ${report.mode} run: seed ${report.seed}, ${report.seconds} s`);
  console.log(`    PostgreSQL ${report.versions.postgres}, PgBouncer ${report.versions.pgbouncer}, Node ${report.versions.node}`);
  console.table(rows);
  const failed = rows.filter((row) => row.result.startsWith('FAILED')).length;
  const skipped = report.parts.filter((part) => part.skipped !== undefined);
  console.log(`    report: ${file}`);
  console.log(`    replay: ${report.replay}`);
  for (const part of skipped) console.log(`    SKIPPED ${part.part}: ${part.skipped} (this part proves nothing here)`);
  console.log(report.passed ? `    passed: ${rows.length - skipped.length} checks` : `    FAILED: ${failed} of ${rows.length} checks`);
}
