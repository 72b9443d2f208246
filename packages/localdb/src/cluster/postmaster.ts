import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// The postmaster writes its pid on the first line of postmaster.pid; reading it there works for
// a server we started and for one a crashed earlier run left behind.
export async function readPostmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = Number.parseInt(text?.split('\n')[0] ?? '', 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Stops the postmaster and resolves once it is gone. `polite` is the library's own stop
 * (SIGINT, a fast shutdown that ends every backend first); when it does not finish in time we
 * escalate to SIGQUIT (immediate shutdown) and finally SIGKILL, so no server outlives us.
 */
export async function stopPostmaster(pid: number, polite: () => Promise<void>): Promise<void> {
  if (!isAlive(pid)) return;
  // The library's stop waits for an 'exit' event that never comes if the server already died
  // (a terminal Ctrl-C reaches it directly), so we never wait on it alone.
  void polite().catch(() => undefined);
  if (await waitForExit(pid, 20_000)) return;
  signal(pid, 'SIGQUIT');
  if (await waitForExit(pid, 5_000)) return;
  signal(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
}

/** Synchronous last resort for process 'exit', where nothing asynchronous runs any more. */
export function signalFastShutdown(pid: number): void {
  signal(pid, 'SIGINT');
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}
