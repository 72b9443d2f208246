import { parsePgBouncerServers, type PgBouncerInput, type PgBouncerServers } from './config';
import { pgbouncerIni } from './ini';

/** What every server's PgBouncer shares: everything but where it listens and which PostgreSQL it serves. */
export type SharedPgBouncerInput = Omit<PgBouncerInput, 'serverHost' | 'serverPort' | 'listenPort'>;

/**
 * One pgbouncer.ini per server of a deployment with `servers`. One PgBouncer cannot serve them all: its wildcard
 * entry routes every database name to one host, and a tenant database's name does not say which server holds it
 * (per-database entries would need a config edit and a reload for every tenant). Each server's PgBouncer routes
 * its own databases by the wildcard, and finds their roles by auth_query, which setup() installs on every server
 * whose `pooler` has an authPassword. Point each server's `appUrl` in the tenancy config at its own PgBouncer.
 */
export function pgbouncerInisPerServer(shared: SharedPgBouncerInput, servers: PgBouncerServers): { server: string; listenPort: number; ini: string }[] {
  const parsed = parsePgBouncerServers(servers);
  // Rendered (and so validated) for every server before any is returned.
  return parsed.map((server) => ({
    server: server.name,
    listenPort: server.listenPort,
    ini: pgbouncerIni({ ...shared, serverHost: server.serverHost, serverPort: server.serverPort, listenPort: server.listenPort }),
  }));
}
