const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

// One Ctrl-C reaches us more than once: the terminal signals the whole process group, and the
// wrappers in it (npm, tsx's CLI) relay it again to their child. Repeats this soon after the
// first are that echo, not a user pressing Ctrl-C twice.
const ECHO_WINDOW_MS = 2_000;

export interface StopSignal {
  /** Resolves with the first SIGINT, SIGTERM or SIGHUP. */
  received: Promise<NodeJS.Signals>;
  readonly requested: boolean;
}

/**
 * Turns the first stop signal into a promise, so that startup finishes its current step and
 * shutdown runs in order instead of the process dying half-way. Another signal later, while we
 * are still stopping, exits at once; the cluster's and the apps' 'exit' guards then kill what
 * is left.
 */
export function listenForStop(): StopSignal {
  let firstAt: number | undefined;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (firstAt === undefined) {
        firstAt = Date.now();
        console.log(`\n[dev] ${signal}: stopping the apps and PostgreSQL...`);
        resolve(signal);
      } else if (Date.now() - firstAt > ECHO_WINDOW_MS) {
        console.error(`[dev] ${signal} again: exiting without waiting.`);
        process.exit(130);
      }
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
  });
  return {
    received,
    get requested() {
      return firstAt !== undefined;
    },
  };
}
