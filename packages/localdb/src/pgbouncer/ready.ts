import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

// An SSLRequest is the one message every PostgreSQL-protocol server answers at once with a
// single byte ('N' or 'S') and no credentials, so an answer proves pgbouncer itself listens
// there, not merely that something accepted a TCP connection.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** Resolves once pgbouncer answers on host:port; rejects when `failed()` says it died, or on timeout. */
export async function waitUntilAnswering(host: string, port: number, options: { timeoutMs: number; failed: () => string | undefined }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const failure = options.failed();
    if (failure !== undefined) throw new Error(failure);
    if (await answers(host, port)) return;
    if (Date.now() > deadline) throw new Error(`did not answer within ${options.timeoutMs} ms`);
    await sleep(50);
  }
}

export function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write(SSL_REQUEST));
    socket.once('data', (data) => done(data[0] === 0x4e || data[0] === 0x53));
  });
}
