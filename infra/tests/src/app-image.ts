import { existsSync } from 'node:fs';
import { chown, lstat, mkdir, readdir, readlink, realpath } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  copies,
  execCommand,
  finalStage,
  instructions,
  parseDockerfile,
  resolveStage,
  type CopyInstruction,
  type Dockerfile,
  type ResolvedStage,
} from './dockerfile';
import { dockerfileOf, REPO_ROOT, type AppName } from './paths';
import { runOk, startService, type Service } from './processes';

// An app's Dockerfile, run outside Docker. The builder stage's own RUN lines run in this repository, whose
// `npm ci` stands in for the installer stage (the same lock file; `turbo prune` keeps a subset of it). The
// runner stage's COPY lines copy from the repository into a temporary root as Docker's COPY does (symlinks
// copied as links, files owned by the image's user), and its CMD starts there as that user.
//
// INFRA_TESTS_BUILDER_ROOT=<dir> replaces the repository by <dir>/<app>: a tree made by the Dockerfile's pruner
// and installer stages (out/json, `npm ci`, out/full), for a run that leaves the repository's build alone.

/** Where the builder stage's WORKDIR (/repo) is outside Docker. */
export function builderRoot(app: AppName): string {
  const override = process.env.INFRA_TESTS_BUILDER_ROOT;
  return override ? path.join(override, app) : REPO_ROOT;
}

export interface AppImage {
  app: AppName;
  dockerfile: Dockerfile;
  builder: ResolvedStage;
  runner: ResolvedStage;
  /** The runner's COPY lines. */
  copies: CopyInstruction[];
  /** The runner's user, as created by its RUN groupadd/useradd line. */
  user: { name: string; uid: number; gid: number };
  command: string[];
}

export function appImage(app: AppName): AppImage {
  const dockerfile = parseDockerfile(dockerfileOf(app));
  const final = finalStage(dockerfile);
  const runner = resolveStage(dockerfile, final.name);
  const runnerCopies = copies(final);
  const fromStages = [...new Set(runnerCopies.map((copy) => copy.from).filter((from): from is string => from !== undefined))];
  if (fromStages.length !== 1)
    throw new Error(`${dockerfile.file}: the final stage should copy from exactly one build stage, copies from ${JSON.stringify(fromStages)}`);
  const command = execCommand(final);
  if (!command) throw new Error(`${dockerfile.file}: the final stage has no CMD`);
  return { app, dockerfile, builder: resolveStage(dockerfile, fromStages[0]!), runner, copies: runnerCopies, user: runnerUser(dockerfile, runner), command };
}

function runnerUser(dockerfile: Dockerfile, runner: ResolvedStage): AppImage['user'] {
  const script = instructions(runner.stage, 'RUN')
    .map((run) => run.args)
    .join('\n');
  const uid = /useradd\b[^\n&;]*--uid (\d+)[^\n&;]*\s(\w+)(?:\s|$)/.exec(script);
  const gid = /groupadd\b[^\n&;]*--gid (\d+)/.exec(script);
  if (!uid || !gid) throw new Error(`${dockerfile.file}: the final stage should create its user with numeric --uid and --gid`);
  return { name: uid[2]!, uid: Number(uid[1]), gid: Number(gid[1]) };
}

/** The builder stage's own RUN lines (e.g. `npx turbo run build --filter=web`), in the repository. */
export async function buildLikeDockerfile(image: AppImage, log: (line: string) => void = () => undefined): Promise<string[]> {
  const runs = instructions(image.builder.stage, 'RUN').map((run) => run.args);
  if (runs.length === 0) throw new Error(`${image.dockerfile.file}: stage ${image.builder.stage.name} runs nothing`);
  for (const command of runs) {
    log(`[${image.app}] ${command}`);
    const started = Date.now();
    await runOk('/bin/sh', ['-c', command], {
      cwd: containerToRepo(image, image.builder.workdir),
      env: { ...process.env, ...image.builder.env },
      timeoutMs: 600_000,
    });
    log(`[${image.app}] done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  return runs;
}

/** A builder-stage path (/repo/...) as the path outside Docker. */
function containerToRepo(image: AppImage, containerPath: string): string {
  const relative = path.posix.relative(image.builder.workdir, containerPath);
  if (relative.startsWith('..') || path.posix.isAbsolute(relative))
    throw new Error(`${containerPath} is outside the builder's WORKDIR ${image.builder.workdir}`);
  return path.join(builderRoot(image.app), relative);
}

export interface AssembledImage {
  /** The temporary root standing in for the image's filesystem. */
  root: string;
  /** The runner's WORKDIR inside it. */
  workdir: string;
}

/** The runner stage's COPY lines into `root` (an empty directory): what the final image holds. */
export async function assembleLikeDockerfile(image: AppImage, root: string): Promise<AssembledImage> {
  const asRoot = os.userInfo().uid === 0;
  for (const copy of image.copies) {
    if (copy.from !== image.builder.stage.name)
      throw new Error(`${image.dockerfile.file}:${copy.line}: only COPY --from=${image.builder.stage.name} is supported here`);
    const destination = path.join(root, path.posix.resolve(image.runner.workdir, copy.destination));
    for (const source of copy.sources) {
      const from = containerToRepo(image, path.posix.resolve(image.builder.workdir, source));
      if (!existsSync(from)) throw new Error(`${image.dockerfile.file}:${copy.line}: COPY source ${source} does not exist (${from}); was the build run?`);
      const isDir = (await lstat(from)).isDirectory();
      await mkdir(isDir ? destination : path.dirname(destination), { recursive: true });
      // cp -a copies symlinks as links with their text unchanged, as Docker's COPY does.
      await runOk('cp', ['-a', isDir ? `${from}/.` : from, isDir ? `${destination}/` : destination], { timeoutMs: 300_000 });
      if (asRoot && copy.chown) await runOk('chown', ['-R', `${image.user.uid}:${image.user.gid}`, destination]);
    }
  }
  return { root, workdir: path.join(root, image.runner.workdir) };
}

/**
 * Every symlink under `root` that leaves it or points nowhere. An image must not depend on the machine that built
 * it: a link into the build's node_modules would work here and break in the image.
 */
export async function escapingSymlinks(root: string): Promise<string[]> {
  const realRoot = await realpath(root);
  const bad: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const text = await readlink(full);
        const target = await realpath(full).catch(() => undefined);
        if (path.isAbsolute(text) || target === undefined || !(target === realRoot || target.startsWith(`${realRoot}${path.sep}`))) {
          bad.push(`${path.relative(root, full)} -> ${text}${target === undefined ? ' (dangling)' : ''}`);
        }
      } else if (entry.isDirectory()) {
        await walk(full);
      }
    }
  };
  await walk(root);
  return bad;
}

/** node_modules folders above `dir` that Node's resolution would reach, which an image does not have. */
export function ancestorNodeModules(dir: string): string[] {
  const found: string[] = [];
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    if (existsSync(path.join(current, 'node_modules'))) found.push(path.join(current, 'node_modules'));
    if (path.dirname(current) === current) return found;
  }
}

/** A named-volume mount point inside the temporary root, owned by the image's user. */
export async function volumeDir(image: AppImage, assembled: AssembledImage, containerPath: string): Promise<string> {
  const dir = path.join(assembled.root, containerPath);
  await mkdir(dir, { recursive: true });
  if (os.userInfo().uid === 0) await chown(dir, image.user.uid, image.user.gid);
  return dir;
}

/** The runner's CMD in its WORKDIR, with the image's ENV under `env`, as the image's user when this runs as root. */
export function startLikeDockerfile(image: AppImage, assembled: AssembledImage, env: Record<string, string>): Service {
  const [command, ...args] = image.command;
  return startService(command!, args, {
    cwd: assembled.workdir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...image.runner.env, ...env },
    ...(os.userInfo().uid === 0 ? { uid: image.user.uid, gid: image.user.gid } : {}),
  });
}
