import { z } from 'zod';
import { PgBouncerConfigError } from './errors';

// Everything here ends up in an ini file or a connection string that PgBouncer parses line by
// line, so values are held to shapes that cannot break out of their line or key=value pair.

export const DEFAULT_AUTH_USER = 'pgbouncer_auth';
export const AUTH_SCHEMA = 'pgbouncer';
export const AUTH_FUNCTION = 'get_auth';
export const DEFAULT_AUTH_QUERY = `SELECT usename, passwd FROM ${AUTH_SCHEMA}.${AUTH_FUNCTION}($1)`;

export const POOL_MODES = ['session', 'transaction'] as const;
export type PoolMode = (typeof POOL_MODES)[number];

export const roleName = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a lowercase role name (letters, digits, _; at most 63 characters)');

const host = z.string().regex(/^([A-Za-z0-9._:-]+|\/[^\s'"\\;#]*)$/, 'must be a host name, an IP address or an absolute unix socket directory');

const port = z.number().int().min(1).max(65_535);

const filePath = z
  .string()
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  .regex(/^\/[^\u0000-\u001f\u007f;#'"\\]*$/, 'must be an absolute path without control characters, quotes, ";" or "#"');

// Printable ASCII only: it goes into userlist.txt between double quotes, and installPgBouncerAuth
// compares it with the stored SCRAM verifier, which for non-ASCII would need SASLprep.
export const authPassword = z
  .string({ error: 'is required: the password of the auth role (it goes into the auth file)' })
  .min(8, 'must be at least 8 characters')
  .max(256, 'must be at most 256 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

const poolSize = z.number().int().min(1).max(10_000);

export const pgbouncerInputSchema = z.object({
  listenAddr: z
    .string()
    .regex(/^(\*|[A-Za-z0-9.:-]+)$/, 'must be "*", a host name or an IP address')
    .default('127.0.0.1'),
  listenPort: port.default(6432),
  serverHost: host.default('127.0.0.1'),
  serverPort: port.default(5432),
  poolMode: z.enum(POOL_MODES, { error: 'must be "session" or "transaction"' }),
  /**
   * scram-sha-256 works with auth_query on PgBouncer 1.18 against PostgreSQL's SCRAM-stored
   * passwords: the client's SCRAM proof gives PgBouncer the key it logs in to the server with.
   * md5 also works there (PgBouncer switches to SCRAM for a SCRAM secret), but would offer md5
   * to a client whose secret is an md5 hash; naming SCRAM says what actually happens.
   */
  authType: z.enum(['scram-sha-256', 'md5']).default('scram-sha-256'),
  /** Dedicated role PgBouncer logs in as to run auth_query; the only entry in the auth file. */
  authUser: roleName.default(DEFAULT_AUTH_USER),
  /** Needed for the auth file only (pgbouncerUserlist); the ini never contains it. */
  authPassword: authPassword.optional(),
  authFile: filePath,
  authQuery: z
    .string()
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]+$/, 'must be one line of SQL')
    .regex(/\$1/, 'must take the user name as $1')
    .default(DEFAULT_AUTH_QUERY),
  defaultPoolSize: poolSize.default(20),
  maxClientConn: poolSize.default(200),
  /** 0 means no cap per database (PgBouncer's own default). */
  maxDbConnections: z.number().int().min(0).max(10_000).default(0),
  /**
   * Users of the admin console (database "pgbouncer"). auth_query does not cover the console:
   * these users must be in the auth file with their password.
   */
  adminUsers: z.array(roleName).default([]),
  statsUsers: z.array(roleName).default([]),
  /**
   * Startup parameters PgBouncer drops instead of refusing the connection. node-postgres sends
   * only user, database and application_name unless configured otherwise; JDBC and psql-like
   * drivers send extra_float_digits. `options` is not ignored by default: dropping it silently
   * would drop settings such as `-c statement_timeout=...`, a refusal is easier to notice.
   */
  ignoreStartupParameters: z.array(z.string().regex(/^[a-z_]+$/, 'must be a startup parameter name')).default(['extra_float_digits']),
  logfile: filePath.optional(),
  pidfile: filePath.optional(),
  /** Empty string turns the unix socket off; absent keeps PgBouncer's default (/tmp). */
  unixSocketDir: z.union([z.literal(''), filePath]).optional(),
  /**
   * Seconds PgBouncer waits before retrying a server login that failed (PgBouncer's default 15).
   * A database created just after a failed attempt is unreachable for that long.
   */
  serverLoginRetry: z.number().int().min(0).max(3600).optional(),
  /**
   * Seconds a client may wait for a server connection (PgBouncer's default 120). It also bounds
   * how long a client asking for a database that does not exist hangs: PgBouncer 1.18 keeps it
   * waiting while it retries the server login instead of passing the error on.
   */
  queryWaitTimeout: z.number().int().min(0).max(86_400).optional(),
});

const withPasswordSchema = pgbouncerInputSchema.extend({ authPassword });

/**
 * The servers of a deployment with `servers`, one PgBouncer each: its name (as in the tenancy config), its
 * PostgreSQL and the port its PgBouncer listens on (distinct where they share a host).
 */
export const pgbouncerServersSchema = z
  .array(
    z.object({
      name: z.string().regex(/^[a-z][a-z0-9_]{0,30}$/, 'must be a server name as the tenancy config spells it'),
      serverHost: host,
      serverPort: port,
      listenPort: port,
    }),
  )
  .min(1, 'must list at least one server')
  .superRefine((servers, ctx) => {
    servers.forEach((server, i) => {
      if (servers.findIndex((s) => s.name === server.name) !== i)
        ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `names server "${server.name}" twice` });
      if (servers.findIndex((s) => s.listenPort === server.listenPort) !== i)
        ctx.addIssue({ code: 'custom', path: [i, 'listenPort'], message: `is ${server.listenPort} again: two PgBouncers cannot listen on one port` });
    });
  });

export type PgBouncerServers = z.input<typeof pgbouncerServersSchema>;

/** Validates the servers list; throws PgBouncerConfigError naming every bad field (under "servers"). */
export function parsePgBouncerServers(servers: PgBouncerServers): z.output<typeof pgbouncerServersSchema> {
  const parsed = pgbouncerServersSchema.safeParse(servers);
  if (!parsed.success) throw new PgBouncerConfigError(parsed.error.issues.map((issue) => ({ ...issue, path: ['servers', ...issue.path] })));
  return parsed.data;
}

export type PgBouncerInput = z.input<typeof pgbouncerInputSchema>;
export type PgBouncerConfig = z.output<typeof pgbouncerInputSchema>;

/** Validates and fills defaults; throws PgBouncerConfigError naming every bad field. */
export function parsePgBouncerInput(input: PgBouncerInput): PgBouncerConfig {
  return parseWith(pgbouncerInputSchema, input);
}

/** The same, for the auth file, where the auth user's password is required. */
export function parsePgBouncerInputWithPassword(input: PgBouncerInput): z.output<typeof withPasswordSchema> {
  return parseWith(withPasswordSchema, input);
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new PgBouncerConfigError(parsed.error.issues);
  return parsed.data;
}
