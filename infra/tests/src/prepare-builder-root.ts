/**
 * Runs each app Dockerfile's pruner and installer stages outside Docker, into <dir>/<app>: `turbo prune <app>
 * --docker`, out/json, the installer's RUN line (`npx npm@<packageManager> ci`), then out/full. Then
 *
 *   INFRA_TESTS_BUILDER_ROOT=<dir> npm test -w @repo/infra-tests
 *
 * runs the stack suite's builds, setup and servers from those trees instead of the repository: the whole image
 * recipe, and the repository's own .next folders are left alone (other runs may be using them).
 *
 *   npm run docker:builder-root -w @repo/infra-tests -- /tmp/infra-builder
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { instructions, parseDockerfile, stage } from './dockerfile';
import { APPS, dockerfileOf, REPO_ROOT } from './paths';
import { runOk } from './processes';

async function prepare(target: string): Promise<void> {
  for (const app of APPS) {
    const dockerfile = parseDockerfile(dockerfileOf(app));
    const [prune] = instructions(stage(dockerfile, 'pruner'), 'RUN').map((run) => run.args);
    const command = /^npx --yes turbo@[\d.]+ (prune \S+ --docker)$/.exec(prune ?? '');
    if (!command) throw new Error(`${dockerfile.file}: unexpected pruner command ${prune}`);
    const out = await mkdtemp(path.join(os.tmpdir(), `infra-prune-${app}-`));
    const tree = path.join(target, app);
    try {
      console.log(`[${app}] turbo ${command[1]}`);
      await runOk(path.join(REPO_ROOT, 'node_modules', '.bin', 'turbo'), [...command[1]!.split(' '), '--out-dir', out], {
        cwd: REPO_ROOT,
        env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
      });
      await rm(tree, { recursive: true, force: true });
      await mkdir(tree, { recursive: true });
      await cp(path.join(out, 'json'), tree, { recursive: true });
      for (const run of instructions(stage(dockerfile, 'installer'), 'RUN').map((instruction) => instruction.args)) {
        console.log(`[${app}] ${run}`);
        await runOk('/bin/sh', ['-c', run], { cwd: tree, env: process.env, timeoutMs: 900_000 });
      }
      await cp(path.join(out, 'full'), tree, { recursive: true, verbatimSymlinks: true });
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  }
}

const target = process.argv[2];
if (!target) {
  console.error('usage: prepare-builder-root.ts <dir>');
  process.exit(2);
}
prepare(path.resolve(target)).then(
  () => console.log(`done: INFRA_TESTS_BUILDER_ROOT=${path.resolve(target)}`),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
