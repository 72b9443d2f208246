import { createInterface } from 'node:readline/promises';
import type { Io } from './io';

/** Asks on stderr and reads one line from stdin: the answer, trimmed. */
export async function ask(io: Io, question: string): Promise<string> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}
