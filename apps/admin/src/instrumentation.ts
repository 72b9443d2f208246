// Next calls register() once when a server starts, in every runtime. NEXT_RUNTIME is a constant Next inlines
// per bundle, not configuration, so it is read here rather than through env.ts: the branch keeps the
// Node-only start-up code out of the Edge bundle.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    await import('./instrumentation-node');
  }
}
