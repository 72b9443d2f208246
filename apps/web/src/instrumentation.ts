import type { Instrumentation } from 'next';

// Next calls register() once when a server starts, in every runtime. NEXT_RUNTIME is a constant Next inlines
// per bundle, not configuration, so it is read here rather than through env.ts: the branch keeps the
// Node-only start-up code out of the Edge bundle.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { start } = await import('./instrumentation-node');
    await start();
  }
}

/**
 * Every error a page, route handler or server action throws lands here: the cause goes to the log with the
 * digest the error page shows the user as its reference. The browser only ever gets the generic page.
 */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { logger } = await import('./lib/logger');
  const { describeError } = await import('./server/errors');
  const described = describeError(error);
  logger.error(
    {
      event: 'request.error',
      ...described.log,
      kind: described.kind,
      code: described.code,
      digest: (error as { digest?: unknown }).digest,
      method: request.method,
      path: request.path,
      route: context.routePath,
      routeType: context.routeType,
    },
    `${request.method} ${request.path} failed`,
  );
};
