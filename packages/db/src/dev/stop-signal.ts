const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface StopSignal {
  /** Resolves with the first SIGINT, SIGTERM or SIGHUP. */
  received: Promise<NodeJS.Signals>;
  readonly requested: boolean;
}

/**
 * Turns the first stop signal into a promise, so that startup finishes its current step and
 * shutdown runs in order instead of the process dying half-way. A second signal while we are
 * stopping exits at once; the cluster's and the apps' 'exit' guards still signal what is left.
 */
export function listenForStop(): StopSignal {
  let requested = false;
  const received = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (requested) {
        console.error(`[dev] ${signal} again: exiting without waiting.`);
        process.exit(130);
      }
      requested = true;
      console.log(`\n[dev] ${signal}: stopping the apps and PostgreSQL...`);
      resolve(signal);
    };
    for (const signal of SIGNALS) process.on(signal, onSignal);
  });
  return {
    received,
    get requested() {
      return requested;
    },
  };
}
