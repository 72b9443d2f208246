import { signalFastShutdown } from './postmaster';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Makes sure the server does not outlive this process. postgres keeps running when its parent
 * dies, and a Node process killed by a signal it does not handle emits no 'exit' event, so we
 * listen to both. On a signal we only start the server's fast shutdown: whoever else listens
 * to that signal (the dev runner, vitest) owns the exit; when nobody does, we re-raise it so
 * the process still dies the default way. Returns the function that removes the guard.
 */
export function guardAgainstOrphan(pid: number): () => void {
  const onExit = (): void => signalFastShutdown(pid);
  const onSignal = (signal: NodeJS.Signals): void => {
    signalFastShutdown(pid);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', onExit);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return () => {
    process.removeListener('exit', onExit);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}
