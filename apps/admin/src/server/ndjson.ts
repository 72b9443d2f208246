import 'server-only';

import { logger } from '@/lib/logger';

export type Send = (event: Record<string, unknown>) => void;

/**
 * A streamed response of newline-delimited JSON events: how the long operations (provisioning a tenant,
 * migrating every tenant) report progress as it happens. The work goes on when the browser goes away
 * (a half-provisioned tenant is worse than a lost progress bar); only the writes stop.
 */
export function ndjsonResponse(work: (send: Send) => Promise<void>): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      let open = true;
      const send: Send = (event) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          open = false;
        }
      };
      try {
        await work(send);
      } catch (error) {
        logger.error({ err: error }, 'streamed operation failed');
        send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      } finally {
        if (open) {
          try {
            controller.close();
          } catch {
            // the browser went away
          }
        }
      }
    },
  });
  return new Response(stream, {
    headers: {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      // no-transform: the server's gzip would otherwise hold the small progress events back.
      'Cache-Control': 'no-store, no-transform',
      'X-Accel-Buffering': 'no',
    },
  });
}
