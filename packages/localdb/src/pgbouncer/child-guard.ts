import type { ChildProcess } from 'node:child_process';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * pgbouncer keeps running when the Node process that started it dies, and a process killed by
 * a signal it does not handle emits no 'exit', so both are covered. Whoever else listens to the
 * signal owns the exit; when nobody does, it is re-raised so the process still dies. Returns the
 * function that removes the guard.
 */
export function killOnExit(child: ChildProcess, cleanup: () => void = () => undefined): () => void {
  const kill = (): void => {
    child.kill('SIGKILL');
    cleanup();
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    kill();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.once('exit', kill);
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return () => {
    process.removeListener('exit', kill);
    for (const signal of SIGNALS) process.removeListener(signal, onSignal);
  };
}
