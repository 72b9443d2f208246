import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { appImage } from '../src/app-image';
import { copies, instructions, parseDockerfile, resolveStage, stage } from '../src/dockerfile';
import { APPS, dockerfileOf, REPO_ROOT } from '../src/paths';
import { runOk } from '../src/processes';

// What the images are made of, read from the Dockerfiles; stack.test.ts runs their build and start commands.

const rootPackage = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
  packageManager: string;
};

describe.each(APPS)('apps/%s/Dockerfile', (app) => {
  const dockerfile = parseDockerfile(dockerfileOf(app));
  const image = appImage(app);
  const runs = (name: string) => instructions(stage(dockerfile, name), 'RUN').map((run) => run.args);

  test('prunes the workspace with the repository`s turbo version, then installs from the pruned lock file with its npm', () => {
    expect(runs('pruner')).toEqual([`npx --yes turbo@${rootPackage.devDependencies.turbo} prune ${app} --docker`]);
    const installer = stage(dockerfile, 'installer');
    expect(copies(installer).map((copy) => [copy.from, copy.sources.join(' ')])).toEqual([
      ['pruner', '/repo/out/json/'],
      ['pruner', '/repo/out/full/'],
    ]);
    // The dependency layer comes before the sources, so a source change does not reinstall.
    const order = installer.instructions.map((instruction) => instruction.keyword);
    expect(order.indexOf('RUN')).toBeGreaterThan(0);
    // With the npm the repository pins (packageManager), as CI's `npm ci`.
    expect(runs('installer')).toEqual([`npx --yes ${rootPackage.packageManager} ci --no-audit --no-fund`]);
  });

  test('builds with the app`s own build script, through turbo', () => {
    expect(image.builder.stage.from).toBe('installer');
    expect(runs(image.builder.stage.name)).toEqual([`npx turbo run build --filter=${app}`]);
    const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'apps', app, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toMatch(/^next build\b/);
  });

  test('runs as a non-root user, from the standalone output only, with no secret in the image', () => {
    expect(image.runner.chain.map((link) => link.name)).toEqual(['base', 'runner']);
    expect(image.user.uid).toBeGreaterThan(0);
    expect(image.runner.user).toBe(image.user.name);
    expect(image.copies.map((copy) => [copy.from, copy.chown, copy.sources.join(' ')])).toEqual([
      [image.builder.stage.name, `${image.user.name}:nodejs`, `/repo/apps/${app}/.next/standalone`],
      [image.builder.stage.name, `${image.user.name}:nodejs`, `/repo/apps/${app}/.next/static`],
    ]);
    expect(image.command).toEqual(['node', `apps/${app}/server.js`]);
    expect(image.runner.env).toMatchObject({ NODE_ENV: 'production', HOSTNAME: '0.0.0.0' });
    for (const s of dockerfile.stages) {
      const env = resolveStage(dockerfile, s.name).env;
      expect(
        Object.keys(env).filter((name) => /SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL/.test(name)),
        `stage ${s.name} ENV`,
      ).toEqual([]);
    }
    expect(Object.keys(dockerfile.args).filter((name) => /SECRET|PASSWORD|TOKEN|KEY|DATABASE_URL/.test(name))).toEqual([]);
  });

  test('copies public/ when the app has one (the standalone output leaves it out)', () => {
    const hasPublic = existsSync(path.join(REPO_ROOT, 'apps', app, 'public'));
    const copiesPublic = image.copies.some((copy) => copy.sources.some((source) => source.endsWith(`/apps/${app}/public`)));
    expect(copiesPublic).toBe(hasPublic);
  });

  test('uses the Node.js major version this repository runs on, in a glibc image (the native modules are glibc builds)', () => {
    const nodeImage = dockerfile.args.NODE_IMAGE ?? '';
    expect(nodeImage).toMatch(/^node:\d+\.\d+\.\d+-bookworm-slim$/);
    expect(nodeImage.split(':')[1]!.split('.')[0]).toBe(process.versions.node.split('.')[0]);
  });

  test('its build context leaves out installed packages, build output, local data and .env files', () => {
    const ignore = readFileSync(`${dockerfileOf(app)}.dockerignore`, 'utf8').split('\n');
    for (const pattern of ['**/node_modules', '**/.next', '**/.data', '**/.env', '**/.env.*', '.git']) expect(ignore).toContain(pattern);
  });
});

describe('the pruner stage outside Docker', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  test.each(APPS)('`turbo prune %s --docker` gives the installer stage what it copies', async (app) => {
    const [command] = instructions(stage(parseDockerfile(dockerfileOf(app)), 'pruner'), 'RUN').map((run) => run.args);
    const match = /^npx --yes turbo@[\d.]+ (prune \S+ --docker)$/.exec(command!);
    expect(match).not.toBeNull();
    const out = await mkdtemp(path.join(os.tmpdir(), `infra-prune-${app}-`));
    dirs.push(out);
    // The repository's own turbo (the version the Dockerfile pins, checked above); --out-dir keeps the
    // repository clean instead of writing ./out.
    await runOk(path.join(REPO_ROOT, 'node_modules', '.bin', 'turbo'), [...match![1]!.split(' '), '--out-dir', out], {
      cwd: REPO_ROOT,
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
    for (const file of [
      'json/package.json',
      'json/package-lock.json',
      `json/apps/${app}/package.json`,
      `full/apps/${app}/src/env.ts`,
      `full/apps/${app}/next.config.ts`,
    ]) {
      expect(existsSync(path.join(out, file)), file).toBe(true);
    }
    const pruned = JSON.parse(await readFile(path.join(out, 'json', 'package.json'), 'utf8')) as { workspaces: string[] };
    expect(pruned.workspaces).toContain(`apps/${app}`);
    // Every workspace the app needs is in the pruned tree, with its sources.
    for (const workspace of pruned.workspaces) expect(existsSync(path.join(out, 'full', workspace, 'package.json')), workspace).toBe(true);
    if (app === 'admin') {
      // The setup stage runs @repo/db from this tree.
      expect(pruned.workspaces).toContain('packages/db');
      expect(existsSync(path.join(out, 'full', 'packages', 'db', 'migrations', 'tenant'))).toBe(true);
    }
  });
});

describe('apps/admin/Dockerfile setup stage', () => {
  test('adds only infra/docker/setup to the installed workspace and runs it as a non-root user', () => {
    const dockerfile = parseDockerfile(dockerfileOf('admin'));
    const setup = resolveStage(dockerfile, 'setup');
    expect(setup.chain.map((link) => link.name)).toEqual(['base', 'installer', 'setup']);
    expect(copies(setup.stage).map((copy) => [copy.from, copy.sources.join(' '), copy.destination])).toEqual([
      [undefined, 'infra/docker/setup/', './infra/docker/setup/'],
    ]);
    expect(setup.user).toBe('node');
    expect(instructions(setup.stage, 'CMD').map((cmd) => cmd.args)).toEqual(['["node", "--import", "tsx", "infra/docker/setup/setup.ts"]']);
  });
});
