import { ServerUnavailableError } from '../errors';

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
