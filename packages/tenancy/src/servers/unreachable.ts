import { ServerUnavailableError } from '../errors';
import type { Server } from './servers';

/** Errors of a connection that never reached a serving PostgreSQL: the server is down, unreachable, or not taking connections. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE']);
/** cannot_connect_now (starting up, shutting down, in recovery), admin_shutdown, crash_shutdown. */
const SERVER_CODES = new Set(['57P03', '57P01', '57P02']);
/** pg and pg-pool time-outs, and a connection the server ended during the handshake. */
const MESSAGES = /timeout expired|timeout exceeded when trying to connect|Connection terminated (unexpectedly|due to connection timeout)/i;

export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_CODES.has(code))) return true;
  return error instanceof Error && MESSAGES.test(error.message);
}

/** A connection attempt's failure as ServerUnavailableError when it never reached the server; other errors unchanged. */
export function explainUnreachable(error: unknown, server: string): unknown {
  if (error instanceof ServerUnavailableError || !isUnreachable(error)) return error;
  return new ServerUnavailableError(server, { cause: error });
}

/** Whether the server answers on its owner connection; an error other than not reaching it is thrown. */
export async function answers(server: Server): Promise<boolean> {
  try {
    await server.deployment.admin().query('SELECT 1');
    return true;
  } catch (error) {
    if (isUnreachable(error)) return false;
    throw error;
  }
}

/**
 * An error of work that spans servers (a move) as ServerUnavailableError naming the first of `servers` that no longer
 * answers, when the error is one of not reaching a server; otherwise, or when every one answers again, unchanged.
 */
export async function nameUnreachable(error: unknown, servers: readonly Server[]): Promise<unknown> {
  if (error instanceof ServerUnavailableError || !isUnreachable(error)) return error;
  for (const server of servers) if (!(await answers(server).catch(() => true))) return new ServerUnavailableError(server.name, { cause: error });
  return error;
}
