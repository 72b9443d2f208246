import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { recordSkip } from '@repo/localdb/skips';
import { parseConfig, ROOT } from './config';
import { seenVersions } from './harness/server';
import type { Check, Part } from './part';
import { PARTS } from './parts';
import { randomFrom } from './random';
import { machine, printSummary, versions, writeReport, type PartOutcome, type Report } from './report';
import { isCi, missingFor } from './requirements';

async function main(): Promise<void> {
  const config = parseConfig(process.argv.slice(2));
  const t0 = performance.now();
  const log = (line: string) => console.log(`[reliability ${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  const replay = `npm run test:reliability -- ${config.mode === 'short' ? '--short ' : ''}--seed ${config.seed}${config.parts.length < PARTS.length ? ` --only ${config.parts.join(',')}` : ''}`;
  log(`${config.mode} run, seed ${config.seed} (replay: ${replay})`);
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'reliability-'));
  const startedAt = new Date().toISOString();
  const outcomes: PartOutcome[] = [];
  try {
    for (const part of PARTS.filter((p) => config.parts.includes(p.name))) {
      outcomes.push(await runPart(part, { mode: config.mode, seed: config.seed, workDir, log }));
    }
  } finally {
    // A failed run keeps its parts' logs (the Playwright and vitest output behind a failed check) for reading.
    if (outcomes.every((o) => o.checks.every((c) => c.passed))) await rm(workDir, { recursive: true, force: true });
    else log(`the parts' logs are kept in ${workDir}`);
  }
  // A skipped part (outside CI only) does not fail the run; the summary's last lines name it.
  const passed = outcomes.every((o) => o.skipped !== undefined || (o.checks.length > 0 && o.checks.every((c) => c.passed)));
  const report: Report = {
    mode: config.mode,
    seed: config.seed,
    replay,
    startedAt,
    seconds: Math.round((performance.now() - t0) / 1000),
    passed,
    versions: versions([...seenVersions].join(', ') || 'none started'),
    machine: machine(),
    parts: outcomes,
  };
  writeReport(config.reportFile, report);
  printSummary(report, path.relative(ROOT, config.reportFile) || config.reportFile);
  // A part's stray handle (a pool a fault left half-closed) must not keep a finished run alive.
  process.exit(report.passed ? 0 : 1);
}

async function runPart(part: Part, base: { mode: 'short' | 'full'; seed: number; workDir: string; log: (line: string) => void }): Promise<PartOutcome> {
  const started = performance.now();
  const seconds = () => Math.round((performance.now() - started) / 1000);
  const missing = missingFor(part.requires);
  if (missing.length > 0) {
    // In CI a part that cannot run fails the run: a silent skip there would prove nothing.
    if (isCi()) return { part: part.name, title: part.title, seconds: 0, checks: missing.map((m) => failed(`needs ${m.tool}`, m.reason)) };
    for (const m of missing) recordSkip(m.tool, `reliability part ${part.name}: ${m.reason}`);
    return { part: part.name, title: part.title, seconds: 0, skipped: missing.map((m) => m.reason).join('; '), checks: [] };
  }
  const workDir = await mkdtemp(path.join(base.workDir, `${part.name}-`));
  base.log(`part ${part.name}: ${part.title}`);
  try {
    const checks = await part.run({ ...base, workDir, random: randomFrom(base.seed).fork(part.name), log: (line) => base.log(`${part.name}: ${line}`) });
    if (checks.length === 0) return { part: part.name, title: part.title, seconds: seconds(), checks: [failed('ran', 'the part returned no check')] };
    for (const check of checks) base.log(`${part.name}: ${check.passed ? 'ok' : 'FAILED'} ${check.name}`);
    return { part: part.name, title: part.title, seconds: seconds(), checks };
  } catch (error) {
    base.log(`${part.name}: crashed: ${(error as Error).stack ?? String(error)}`);
    return { part: part.name, title: part.title, seconds: seconds(), checks: [failed('ran to the end', (error as Error).message)] };
  }
}

function failed(name: string, detail: string): Check {
  return { name, figures: {}, must: 'complete', passed: false, detail };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
