/**
 * Reads a newline-delimited JSON response, calling onEvent for each line as it arrives. Yields a microtask
 * after each event, so what one event rendered is observable (MutationObserver) before the next is applied.
 */
export async function readNdjson(response: Response, onEvent: (event: Record<string, unknown>) => void): Promise<void> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) {
        onEvent(JSON.parse(line) as Record<string, unknown>);
        await Promise.resolve();
      }
      newline = buffer.indexOf('\n');
    }
    if (done) break;
  }
  if (buffer.trim()) onEvent(JSON.parse(buffer) as Record<string, unknown>);
}
