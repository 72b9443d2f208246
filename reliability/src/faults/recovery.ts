import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { PgBouncerLoginError, ServerUnavailableError } from '@repo/tenancy';
import type { LoadError, Load } from './load';

/** The longest a restarted server or pooler may take before every tenant is served again. */
export const RECOVERY_LIMIT_MS = 20_000;

/**
 * Errors a caller may get while the server or the pooler is away, as pg and the server word them:
 * the connection refused, cut, or the server shutting down or starting up. Anything else (a
 * TypeError, a context error, a wrong-tenant error) is not a clear outage error.
 */
const OUTAGE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08003', '08P01']);
const OUTAGE_MESSAGES = [
  /Connection terminated/i,
  /terminating connection/i,
  /the database system is (starting up|shutting down|not yet accepting connections)/i,
  /Client has encountered a connection error and is not queryable/i,
  /server conn crashed|server login has been failing|pgbouncer cannot connect to server|client_login_timeout|query_wait_timeout/i,
  /no more connections allowed/i,
];

export function isOutageError(e: LoadError): boolean {
  // The library's own word for a PgBouncer it cannot reach: names the role and database, says what to check.
  if (e.error instanceof PgBouncerLoginError) return e.error.reason === 'unreachable' || e.error.reason === 'timeout';
  // And for a server (or the pooler in front of it) that refuses or drops the connection: names the server.
  if (e.error instanceof ServerUnavailableError) return true;
  return (e.code !== undefined && OUTAGE_CODES.has(e.code)) || OUTAGE_MESSAGES.some((re) => re.test(e.message));
}

/**
 * Waits until every tenant of the load has had a call that began after `since` succeed; returns the
 * time that took, or undefined if RECOVERY_LIMIT_MS passed first. `skip` (a red check) skips the wait.
 */
export async function waitForRecovery(load: Load, since: number, skip = false): Promise<number | undefined> {
  if (skip) return 0;
  const deadline = since + RECOVERY_LIMIT_MS;
  for (;;) {
    if (load.tenants.every((t) => load.lastSuccess(t.slug) >= since)) return performance.now() - since;
    if (performance.now() > deadline) return undefined;
    await sleep(25);
  }
}

/** The distinct kinds of error among `errors`, for a check's detail: "ECONNREFUSED x12; 57P01 x3". */
export function errorKinds(errors: readonly LoadError[]): string {
  const kinds = new Map<string, number>();
  for (const e of errors) {
    const kind = `${e.name}${e.code ? ` ${e.code}` : ''}: ${e.message.slice(0, 90)}`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  return [...kinds.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4)
    .map(([kind, n]) => `${kind} x${n}`)
    .join('; ');
}
