import { spawn } from 'node:child_process';
import { descendants, descendantsSync, signalAll, waitGone } from './process-tree';

export interface RunningApps {
  /** Resolves with turbo's exit code (or 1 when it died by a signal). */
  exited: Promise<number>;
  /** Stops turbo and every process below it; resolves when they are gone. */
  stop(): Promise<void>;
}

const TURBO_ARGS = ['turbo', 'run', 'dev', '--filter=web', '--filter=admin'];
const GRACE_MS = 10_000;

/**
 * Starts both apps through turbo in a process group of their own, so that a Ctrl-C in the
 * terminal reaches only us and we choose the order of shutdown. turbo runs each task in yet
 * another group, so stopping means walking the process tree, not only signalling one group.
 * stdin is not passed on: a background process group that reads the terminal is suspended.
 */
export function startApps(root: string, env: Record<string, string>): RunningApps {
  const child = spawn('npx', TURBO_ARGS, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  const group = child.pid;
  if (group === undefined) throw new Error('Could not start turbo (npx turbo run dev).');
  const tree = new Set<number>([group]);
  // If we exit before stop() finished (a forced second Ctrl-C, a crash), kill the whole tree;
  // 'exit' allows only synchronous work.
  const killOnExit = (): void => signalAll([-group, ...tree, ...descendantsSync(group)], 'SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code) => resolve(code ?? 1));
  });
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    for (const pid of await descendants(group)) tree.add(pid);
    await stopTree(group, [...tree]);
    process.removeListener('exit', killOnExit);
  };
  return { exited, stop: () => (stopping ??= stop()) };
}

// SIGINT first, as a terminal Ctrl-C would send it: turbo and next dev shut down cleanly on it.
// Whatever is left after the grace period gets SIGKILL.
async function stopTree(group: number, tree: number[]): Promise<void> {
  signalAll([-group], 'SIGINT');
  const stubborn = await waitGone(tree, GRACE_MS);
  if (stubborn.length === 0) return;
  signalAll([-group, ...stubborn], 'SIGKILL');
  await waitGone(stubborn, 2_000);
}
