import path from 'node:path';
import { chromiumProblem } from '@repo/e2e/chromium';
import { PROPERTY_SCALE_ENV, PROPERTY_SEED_ENV } from '@repo/properties';
import { ROOT } from '../config';
import type { Check, Part, PartContext } from '../part';
import { runCommand } from '../properties/command';
import { propertyFiles, PROPERTY_SUFFIX } from '../properties/files';
import { built, PROPERTY_TAG, runPlaywright, type PlaywrightSummary } from '../properties/playwright';
import { runVitest, type VitestSummary } from '../properties/vitest';

/**
 * Runs per property: each test's own base count in the short run, ten times it in the full run; the apps' specs, whose
 * every run is HTTP requests and database snapshots (the admin's at scale 1 take minutes), three times it.
 */
const SCALE = { short: 1, full: 10 } as const;
const E2E_SCALE = 3;
/** The apps whose Playwright specs tagged @property the full run adds (the API routes and server actions). */
const APPS = ['web', 'admin'];

/**
 * Bad input, everywhere: every package's `*.property.test.ts` (fast-check over the library's and the CLI's public
 * arguments) at the run's scale and seed, and in the full run the apps' Playwright specs tagged @property.
 */
export const propertiesPart: Part = {
  name: 'properties',
  title: 'property tests of bad input: the library, the CLI (and, full run, the API routes and server actions)',
  requires: [],
  async run(ctx: PartContext): Promise<Check[]> {
    const scale = SCALE[ctx.mode];
    const env = { [PROPERTY_SCALE_ENV]: String(scale), [PROPERTY_SEED_ENV]: String(ctx.seed) };
    const workFile = (name: string) => path.join(ctx.workDir, name);
    const checks = [await vitestCheck(ctx, env, scale, workFile)];
    if (ctx.mode === 'full') checks.push(await playwrightCheck(ctx, { ...env, [PROPERTY_SCALE_ENV]: String(E2E_SCALE) }, E2E_SCALE, workFile));
    return checks;
  },
};

async function vitestCheck(ctx: PartContext, env: Record<string, string>, scale: number, workFile: (name: string) => string): Promise<Check> {
  const packages = propertyFiles(ROOT);
  const runs: VitestSummary[] = [];
  for (const [dir, files] of packages) {
    const started = Date.now();
    ctx.log(`${path.relative(ROOT, dir)}: ${files.length} file(s) at scale ${scale}`);
    const run = await runVitest(dir, files, env, workFile);
    ctx.log(`${path.relative(ROOT, dir)}: ${run.tests} tests, ${run.failedTests + run.failedFiles} failed, ${Math.round((Date.now() - started) / 1000)} s`);
    runs.push(run);
  }
  const sum = (pick: (r: VitestSummary) => number) => runs.reduce((n, r) => n + pick(r), 0);
  const failures = sum((r) => r.failedTests) + sum((r) => r.failedFiles);
  const crashed = runs.filter((r) => r.exitCode !== 0 && r.failedTests + r.failedFiles === 0).length;
  const tests = sum((r) => r.tests);
  return {
    name: `property tests (*${PROPERTY_SUFFIX}, vitest)`,
    figures: {
      packages: packages.size,
      files: sum((r) => r.files),
      'property tests': tests,
      'runs per property (scale)': `x${scale}`,
      failures,
      'runs that crashed': crashed,
    },
    must: 'every property holds (failures 0, no vitest run crashed) and every package with property files ran some (> 0)',
    passed: failures === 0 && crashed === 0 && runs.length > 0 && runs.every((r) => r.tests > 0),
    detail:
      failures + crashed > 0 ? `${runs.flatMap((r) => r.failures).join('\n')}\nreplay one with PROPERTY_SEED=${ctx.seed} PROPERTY_SCALE=${scale}` : undefined,
  };
}

async function playwrightCheck(ctx: PartContext, env: Record<string, string>, scale: number, workFile: (name: string) => string): Promise<Check> {
  const name = `property specs (${PROPERTY_TAG}, Playwright: ${APPS.join(', ')})`;
  const must = `the apps' ${PROPERTY_TAG} specs ran (> 0 tests) and none failed`;
  const missing = chromiumProblem();
  if (missing !== undefined) return { name, figures: { tests: 0 }, must, passed: false, detail: missing };
  const dirs = APPS.map((app) => path.join(ROOT, 'apps', app));
  if (!dirs.every(built)) {
    ctx.log('building web and admin for their Playwright specs');
    const build = await runCommand('npx', ['turbo', 'run', 'build', ...APPS.map((app) => `--filter=${app}`)], {
      cwd: ROOT,
      env: {},
      logFile: workFile('build.log'),
    });
    if (build.code !== 0) return { name, figures: { tests: 0 }, must, passed: false, detail: `the build failed (exit ${build.code}):\n${build.tail}` };
  }
  const runs: PlaywrightSummary[] = [];
  for (const dir of dirs) {
    ctx.log(`${path.relative(ROOT, dir)}: Playwright specs tagged ${PROPERTY_TAG} at scale ${scale}`);
    runs.push(await runPlaywright(dir, env, workFile));
  }
  const sum = (pick: (r: PlaywrightSummary) => number) => runs.reduce((n, r) => n + pick(r), 0);
  const tests = sum((r) => r.tests);
  const failed = sum((r) => r.failed);
  const crashed = runs.filter((r) => r.exitCode !== 0 && r.failed === 0).length;
  return {
    name,
    figures: {
      apps: APPS.length,
      'property specs': tests,
      'runs per property (scale)': `x${scale}`,
      failures: failed,
      skipped: sum((r) => r.skipped),
      'runs that crashed': crashed,
    },
    must,
    passed: tests > 0 && failed === 0 && crashed === 0,
    detail: failed + crashed > 0 || tests === 0 ? runs.flatMap((r) => r.failures).join('\n') || 'no spec is tagged @property' : undefined,
  };
}
