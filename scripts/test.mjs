// `npm test`: every package's tests, then the browser tests, then the short reliability run, and at the end one
// summary of what ran, what was skipped for a missing tool (outside CI only: in CI a missing tool fails the run), and
// the command that installs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STEPS = [
  { name: 'unit and integration tests', command: ['npx', 'turbo', 'run', 'test', '--concurrency=1'] },
  { name: 'browser tests (builds the apps first)', command: ['npx', 'turbo', 'run', 'test:e2e', '--concurrency=1'] },
  // After the browser tests: the soak serves the web app's production build they made.
  { name: 'reliability, short run', command: ['npm', 'run', 'test:reliability', '--', '--short'] },
];

const dir = mkdtempSync(path.join(os.tmpdir(), 'npm-test-'));
const ledger = path.join(dir, 'skips.jsonl');
const results = [];
for (const step of STEPS) {
  const started = Date.now();
  const run = spawnSync(step.command[0], step.command.slice(1), { cwd: ROOT, stdio: 'inherit', env: { ...process.env, TEST_SKIP_LEDGER: ledger } });
  results.push({ ...step, status: run.status ?? 1, seconds: Math.round((Date.now() - started) / 1000) });
  if (run.status !== 0) break;
}
const skips = existsSync(ledger)
  ? readFileSync(ledger, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
rmSync(dir, { recursive: true, force: true });

console.log('\n=== npm test: summary');
for (const step of STEPS) {
  const result = results.find((r) => r.name === step.name);
  const status = !result ? 'not run (an earlier step failed)' : result.status === 0 ? `passed (${result.seconds} s)` : `FAILED (${result.seconds} s)`;
  console.log(`  ${step.name}: ${status}`);
}
if (skips.length === 0) {
  console.log('  skipped: nothing (every suite found the tools it needs)');
} else {
  const byTool = new Map();
  for (const skip of skips) {
    const files = byTool.get(skip.tool) ?? new Map();
    files.set(path.relative(ROOT, skip.file), skip.reason);
    byTool.set(skip.tool, files);
  }
  console.log(`  SKIPPED, for want of ${[...byTool.keys()].join(', ')} (these tests did not run, so they prove nothing here):`);
  for (const [tool, files] of byTool) {
    console.log(`    ${tool}: ${files.size} test file(s): ${[...files.keys()].sort().join(', ')}`);
    console.log(`      why: ${[...new Set(files.values())][0]}`);
  }
  console.log(`  install what is missing: apt-get install -y ${[...byTool.keys()].sort().join(' ')}`);
}
process.exit(results.every((r) => r.status === 0) && results.length === STEPS.length ? 0 : 1);
