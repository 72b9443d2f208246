import { describe, expect, it } from 'vitest';

import { readNdjson } from '../src/lib/ndjson-client';

/** A response whose body arrives in the given chunks, split wherever the test likes. */
function chunked(...chunks: string[]): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
  return new Response(body);
}

describe('readNdjson', () => {
  it('calls back once per line, whatever the chunks split, including a last line without a newline', async () => {
    const events: Record<string, unknown>[] = [];
    await readNdjson(chunked('{"step":"cre', 'ate"}\n{"step":"migrate"}\n\n{"do', 'ne":true}'), (event) => events.push(event));
    expect(events).toEqual([{ step: 'create' }, { step: 'migrate' }, { done: true }]);
  });

  it('lets what one event rendered settle before the next is applied', async () => {
    const seen: string[] = [];
    await readNdjson(chunked('{"n":1}\n{"n":2}\n'), (event) => {
      seen.push(`event ${String(event.n)}`);
      queueMicrotask(() => seen.push(`after ${String(event.n)}`));
    });
    expect(seen).toEqual(['event 1', 'after 1', 'event 2', 'after 2']);
  });

  it('reads nothing from a response without a body', async () => {
    const events: unknown[] = [];
    await readNdjson(new Response(null), (event) => events.push(event));
    expect(events).toEqual([]);
  });
});
