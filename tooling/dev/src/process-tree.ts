import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PS_ARGS = ['-A', '-o', 'pid=,ppid='];

/**
 * Every process below `pid`. Taken before signalling: once a parent dies its children are
 * re-parented to init and can no longer be found through it.
 */
export async function descendants(pid: number): Promise<number[]> {
  const { stdout } = await run('ps', PS_ARGS);
  return below(pid, stdout);
}

/** For process 'exit' handlers, where nothing asynchronous runs any more. */
export function descendantsSync(pid: number): number[] {
  try {
    return below(pid, execFileSync('ps', PS_ARGS, { encoding: 'utf8' }));
  } catch {
    return [];
  }
}

function below(pid: number, psOutput: string): number[] {
  const children = new Map<number, number[]>();
  for (const line of psOutput.split('\n')) {
    const [child, parent] = line.trim().split(/\s+/).map(Number);
    if (!child || parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), child]);
  }
  const found: number[] = [];
  const queue = [pid];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const direct = children.get(next) ?? [];
    found.push(...direct);
    queue.push(...direct);
  }
  return found;
}

export function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

export function alive(pids: readonly number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    return !isZombie(pid);
  });
}

// An exited orphan stays a zombie until PID 1 reaps it, and some container inits never do;
// it answers signal 0 but is gone for our purposes.
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

/** Resolves with the pids still alive when the time is up (none if all exited). */
export async function waitGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let remaining = alive(pids);
  while (remaining.length > 0 && Date.now() < deadline) {
    await sleep(100);
    remaining = alive(remaining);
  }
  return remaining;
}
