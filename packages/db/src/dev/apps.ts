import { spawn } from 'node:child_process';
import { descendants, signalAll, waitGone } from './process-tree.js';

export interface RunningApps {
  /** Resolves with turbo's exit code (or 1 when it died by a signal). */
  exited: Promise<number>;
  /** Stops turbo and every process below it; resolves when they are gone. */
  stop(): Promise<void>;
}

const TURBO_ARGS = ['turbo', 'run', 'dev', '--filter=web', '--filter=admin'];
const GRACE_MS = 10_000;

/**
 * Starts both apps through turbo in a process group of their own, so that stopping them is one
 * signal to the group and a Ctrl-C in the terminal reaches us first: we decide the order.
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
  // If we die abruptly, take the apps with us; 'exit' allows only synchronous work.
  const killOnExit = (): void => signalAll([-group], 'SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(1));
    child.once('exit', (code) => resolve(code ?? 1));
  });
  let stopping: Promise<void> | undefined;
  return {
    exited,
    stop: () => (stopping ??= stopTree(group).finally(() => process.removeListener('exit', killOnExit))),
  };
}

// SIGINT first, as a terminal Ctrl-C would send it: turbo and next dev shut down cleanly on it.
// Whatever is left after the grace period, in the group or below it, gets SIGKILL.
async function stopTree(group: number): Promise<void> {
  const tree = [group, ...(await descendants(group))];
  signalAll([-group], 'SIGINT');
  const stubborn = await waitGone(tree, GRACE_MS);
  if (stubborn.length === 0) return;
  signalAll([-group, ...stubborn, ...(await descendants(group))], 'SIGKILL');
  await waitGone(stubborn, 2_000);
}
