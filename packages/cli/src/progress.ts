import cliProgress from 'cli-progress';
import type { Io } from './io';

export interface Progress {
  /** `completed` of `total` are finished; `label` says which one finished last. */
  update(completed: number, total: number, label: string): void;
  stop(): void;
}

const NONE: Progress = { update: () => undefined, stop: () => undefined };

/** A progress bar on stderr when stderr is a terminal and the output is for a person; otherwise nothing. */
export function progressBar(io: Io, options: { json: boolean; what: string }): Progress {
  if (options.json || !io.stderr.isTTY) return NONE;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: `${options.what} [{bar}] {value}/{total} {label}`,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(completed, total, label) {
      if (!started) {
        bar.start(total, 0, { label: '' });
        started = true;
      }
      bar.setTotal(total);
      bar.update(completed, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
