import net from 'node:net';
import { LocalDbError, PortInUseError } from './errors';

// Postgres reports a busy port only deep in its log after a slow start; a trial listen
// answers in milliseconds and names the port.
export async function assertPortFree(port: number, host: string): Promise<void> {
  const free = await canListen(port, host);
  if (!free) throw new PortInUseError(port, host);
}

// Asks the kernel for an unused port. Another process could take it before postgres binds;
// callers that need certainty retry on PortInUseError.
export async function findFreePort(host: string): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error(`Could not pick a free port on ${host}`);
  return address.port;
}

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else if (error.code === 'EACCES') reject(new LocalDbError(`Not allowed to listen on ${host}:${port}: choose a port above 1023.`));
      else reject(error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
