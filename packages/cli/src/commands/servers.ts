import type { ServerInfo, ServerState } from '@repo/tenancy';
import { Argument, Command } from 'commander';
import { z } from 'zod';
import { examples, jsonOption, parseOptions, type CommandFactory } from '../command';
import { UsageError } from '../exit-codes';
import { out, outJson } from '../io';
import { validServerName } from '../server-name';
import { table } from '../table';

/** The actions after `tenancy servers`, and the state each sets (`list`, the default, sets none). */
const ACTIONS = { list: undefined, drain: 'drained', open: 'open', 'read-only': 'read_only' } as const satisfies Record<string, ServerState | undefined>;
type Action = keyof typeof ACTIONS;
const ACTION_NAMES = Object.keys(ACTIONS) as Action[];

const options = z.object({ json: z.boolean().default(false) });

/** tenancy.listServers() and setServerState(): the deployment's PostgreSQL servers, and draining or opening one. */
export const serversCommand: CommandFactory = (context) =>
  new Command('servers')
    .description(
      "List the deployment's PostgreSQL servers (name, primary, whether it holds shared tables for rls tenants, state, tenants, size, whether it answers, this process's pool connections against the cap), or set one's state: `drain` (it serves its tenants, takes no new ones), `read-only` (its tenants' transactions are read-only; not the primary), `open`.",
    )
    .addArgument(new Argument('[action]', 'what to do').choices(ACTION_NAMES).default('list'))
    .argument('[name]', 'the server, for drain, open and read-only')
    .addOption(jsonOption())
    .addHelpText('after', examples('tenancy servers', 'tenancy servers drain b', 'tenancy servers read-only b', 'tenancy servers open b --json'))
    .action(async (action: Action, nameArg: string | undefined, raw: unknown) => {
      const { json } = parseOptions(options, raw);
      const state = ACTIONS[action];
      if (state === undefined) {
        if (nameArg !== undefined)
          throw new UsageError(`\`tenancy servers\` lists every server: it takes no name (did you mean \`tenancy servers drain ${nameArg}\`?)`);
        return list(context, json);
      }
      if (nameArg === undefined) throw new UsageError(`\`tenancy servers ${action}\` needs the server's name (see \`tenancy servers\`)`);
      const name = parseOptions(z.object({ name: validServerName }), { name: nameArg }).name;
      const tenancy = await context.tenancy();
      await tenancy.setServerState(name, state);
      if (json) return outJson(context.io, { name, state });
      out(context.io, `Server ${name} is ${DESCRIBE[state]}.`);
    });

const DESCRIBE: Record<ServerState, string> = {
  open: 'open: it takes new tenants',
  drained: 'drained: it serves its tenants and takes no new ones (move them away with `tenancy move <slug> --server <name>`)',
  read_only: "read-only: its tenants' transactions are read-only from each process's next catalog renewal",
};

async function list(context: Parameters<CommandFactory>[0], json: boolean): Promise<void> {
  const servers = await (await context.tenancy()).listServers();
  if (json) return outJson(context.io, servers);
  out(
    context.io,
    table<ServerInfo>(servers, [
      { header: 'NAME', cell: (s) => s.name },
      { header: 'PRIMARY', cell: (s) => (s.primary ? 'yes' : '') },
      { header: 'SHARED', cell: (s) => (s.sharedTables ? 'yes' : '') },
      { header: 'STATE', cell: (s) => s.state.replace('_', '-') },
      { header: 'TENANTS', cell: (s) => String(s.tenants) },
      { header: 'SIZE', cell: (s) => (s.bytes === null ? '-' : size(s.bytes)) },
      { header: 'REACHABLE', cell: (s) => (s.reachable ? 'yes' : `NO (${(s.error ?? 'no answer').slice(0, 80)})`) },
      { header: 'POOL', cell: (s) => `${s.pools.open}/${s.pools.maxConnections}` },
    ]),
  );
}

/** Bytes in the largest unit that keeps a number of at least 1, one decimal. */
function size(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
