import { chmod, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PgBouncerInput } from '@repo/tenancy/pgbouncer';
import { Command, Option } from 'commander';
import { z } from 'zod';
import { POOL_MODE_CHOICES as POOL_MODES } from '../choices';
import { examples, integerText, jsonOption, parseOptions, type CommandFactory } from '../command';
import type { PgBouncerEnv } from '../env';
import { UsageError } from '../exit-codes';
import { note, out, outJson } from '../io';

/** Debian's pgbouncer reads its auth file from here. */
const DEFAULT_AUTH_FILE = '/etc/pgbouncer/userlist.txt';

const port = integerText('a TCP port', 1, 65_535);

const options = z.object({
  poolMode: z.enum(POOL_MODES).optional(),
  listenAddr: z.string().optional(),
  listenPort: port.optional(),
  serverHost: z.string().optional(),
  serverPort: port.optional(),
  authUser: z.string().optional(),
  authFile: z.string().optional(),
  defaultPoolSize: integerText('server connections per database and user', 1, 10_000).optional(),
  maxClientConn: integerText('client connections', 1, 10_000).optional(),
  out: z.string().min(1).optional(),
  userlist: z.string().min(1).optional(),
  json: z.boolean().default(false),
});

type Options = z.infer<typeof options>;

/**
 * The library's PgBouncer config for this deployment: one wildcard database entry and auth_query, so tenant
 * databases and roles come and go without a config edit. Needs no database: it only renders files.
 */
export const pgbouncerConfigCommand: CommandFactory = (context) =>
  new Command('pgbouncer-config')
    .description(
      "Print (or write) the pgbouncer.ini the library generates for this deployment: a wildcard database entry routing every tenant database, and auth_query so new tenant roles log in without a config edit. With --userlist, also the auth file with PgBouncer's auth role (PGBOUNCER_AUTH_PASSWORD). A deployment with servers runs one PgBouncer per server: run this once per server, with its --server-host, --server-port and --listen-port.",
    )
    .addOption(new Option('--pool-mode <mode>', 'session or transaction (default: from TENANCY_POOLER)').choices(POOL_MODES))
    .option('--listen-addr <addr>', 'address PgBouncer listens on (default 127.0.0.1; * for all)')
    .option('--listen-port <port>', 'port PgBouncer listens on (default 6432)')
    .option('--server-host <host>', "PostgreSQL's host (default: ADMIN_DATABASE_URL's, else 127.0.0.1)")
    .option('--server-port <port>', "PostgreSQL's port (default: ADMIN_DATABASE_URL's, else 5432)")
    .option('--auth-user <role>', 'the role PgBouncer runs auth_query as (default pgbouncer_auth)')
    .option('--auth-file <path>', `absolute path of the auth file named in the ini (default: --userlist's, else ${DEFAULT_AUTH_FILE})`)
    .option('--default-pool-size <n>', 'server connections per database and user (default 20)')
    .option('--max-client-conn <n>', 'client connections (default 200)')
    .option('-o, --out <file>', 'write the ini to this file instead of stdout')
    .option('--userlist <file>', 'also write the auth file (mode 0600) with the auth role and PGBOUNCER_AUTH_PASSWORD')
    .addOption(jsonOption())
    .addHelpText(
      'after',
      examples(
        'tenancy pgbouncer-config --pool-mode transaction > pgbouncer.ini',
        'tenancy pgbouncer-config --out /etc/pgbouncer/pgbouncer.ini --userlist /etc/pgbouncer/userlist.txt --listen-addr "*"',
      ),
    )
    .action(async (raw: unknown) => {
      const input = parseOptions(options, raw);
      const [{ readPgBouncerEnv }, { pgbouncerIni, pgbouncerUserlist }] = await Promise.all([import('../env'), import('@repo/tenancy/pgbouncer')]);
      const env = readPgBouncerEnv(context.env);
      const generatorInput = generatorInputOf(input, env);
      // Everything is rendered (and so validated) before any file is written.
      const ini = pgbouncerIni(generatorInput);
      const userlist = input.userlist ? pgbouncerUserlist({ ...generatorInput, authPassword: passwordOf(env) }) : undefined;
      const written: { ini?: string; userlist?: string } = {};
      if (input.out) written.ini = await write(input.out, ini, 0o644);
      if (input.userlist && userlist !== undefined) written.userlist = await write(input.userlist, userlist, 0o600);
      if (input.json) return outJson(context.io, { ini, files: written });
      if (!input.out) context.io.stdout.write(ini);
      if (written.ini) out(context.io, `Wrote ${written.ini}`);
      if (written.userlist) out(context.io, `Wrote ${written.userlist} (the auth role's password: keep it private)`);
      if (!input.userlist) note(context.io, `The ini names the auth file ${generatorInput.authFile}: write it with --userlist, or by hand.`);
    });

function generatorInputOf(input: Options, env: PgBouncerEnv): PgBouncerInput {
  const poolMode = input.poolMode ?? poolModeOf(env);
  if (!poolMode)
    throw new UsageError('Say which pool mode: --pool-mode session|transaction (or set TENANCY_POOLER to pgbouncer-session or pgbouncer-transaction).');
  const server = env.ADMIN_DATABASE_URL ? new URL(env.ADMIN_DATABASE_URL) : undefined;
  const defined = <T extends object>(value: T) => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
  return {
    poolMode,
    authFile: input.authFile ?? (input.userlist ? path.resolve(input.userlist) : DEFAULT_AUTH_FILE),
    ...defined({
      listenAddr: input.listenAddr,
      listenPort: input.listenPort,
      serverHost: input.serverHost ?? (server?.hostname || undefined),
      serverPort: input.serverPort ?? (server ? Number(server.port || 5432) : undefined),
      authUser: input.authUser,
      defaultPoolSize: input.defaultPoolSize,
      maxClientConn: input.maxClientConn,
    }),
  };
}

function poolModeOf(env: PgBouncerEnv): PgBouncerInput['poolMode'] | undefined {
  if (env.TENANCY_POOLER === 'pgbouncer-session') return 'session';
  if (env.TENANCY_POOLER === 'pgbouncer-transaction') return 'transaction';
  return undefined;
}

function passwordOf(env: PgBouncerEnv): string {
  if (env.PGBOUNCER_AUTH_PASSWORD === undefined) throw new UsageError('--userlist needs PGBOUNCER_AUTH_PASSWORD: the auth role password the auth file holds.');
  return env.PGBOUNCER_AUTH_PASSWORD;
}

async function write(file: string, content: string, mode: number): Promise<string> {
  const target = path.resolve(file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, content, { mode });
  // writeFile's mode applies only to a file it creates: an existing one keeps its own until told.
  await chmod(target, mode);
  return target;
}
