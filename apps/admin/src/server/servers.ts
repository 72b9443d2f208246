import 'server-only';

import { SERVER_STATES, type ServerInfo, type ServerState } from '@repo/tenancy';
import { z } from 'zod';

import { logger } from '@/lib/logger';
import type { FieldErrors } from './api';
import { serverStates } from './queries/catalog';
import type { Operator } from './session';
import { tenancy } from './tenancy';
import { isTenancyError } from './tenancy-errors';

// The deployment's PostgreSQL servers (TENANCY_SERVERS and the primary): what each holds and whether it answers, through
// tenancy.listServers(); and an operator draining, opening or marking one read-only (setServerState).

/** A server's name as the catalog records it (the library's SERVER_NAME). */
export const SERVER_NAME = /^[a-z][a-z0-9_]{0,30}$/;

export const serverStateInput = z.object({
  name: z.string().trim().regex(SERVER_NAME, 'Not a server name.'),
  state: z.enum(SERVER_STATES, { error: `Choose a state: ${SERVER_STATES.join(', ')}.` }),
});

export type ServerStateInput = z.infer<typeof serverStateInput>;

export function listServers(): Promise<ServerInfo[]> {
  return tenancy().listServers();
}

/** The names this deployment knows, the primary first: what a move or a state change may name. */
export function serverNames(): string[] {
  const { primaryName, servers } = tenancy().config;
  return [primaryName, ...servers.map((s) => s.name)];
}

/** The servers a move may name, with their states, from the configuration and the catalog (no server is contacted). */
export async function serverChoices(): Promise<{ name: string; primary: boolean; sharedTables: boolean; state: ServerState }[]> {
  const states = await serverStates();
  return serverNames().map((name) => ({ name, primary: name === primaryName(), sharedTables: holdsSharedTables(name), state: states.get(name) ?? 'open' }));
}

/** Whether rls tenants can live on the server: the primary, or a server configured with `sharedTables` (a shard). */
export function holdsSharedTables(name: string): boolean {
  const { primaryName: primary, servers } = tenancy().config;
  return name === primary || servers.some((s) => s.name === name && s.sharedTables);
}

export function primaryName(): string {
  return tenancy().config.primaryName;
}

export type StateChange = { ok: true; name: string; state: ServerState } | { ok: false; status: 404 | 422; error: string; fieldErrors?: FieldErrors };

/** setServerState with the operator named in the log; an unknown server is a 404, a state the library refuses a 422. */
export async function changeServerState(input: ServerStateInput, operator: Operator): Promise<StateChange> {
  if (!serverNames().includes(input.name)) {
    return {
      ok: false,
      status: 404,
      error: `No server named "${input.name}" in this deployment: see the Servers page.`,
      fieldErrors: { name: 'No such server.' },
    };
  }
  try {
    await tenancy().setServerState(input.name, input.state);
  } catch (error) {
    // The primary made read-only: the library says why it refuses, and nothing changed.
    if (isTenancyError(error, 'TenancyConfigError') || isTenancyError(error, 'UnknownServerError')) {
      logger.warn({ operator: operator.email, server: input.name, state: input.state, err: error }, 'server state refused');
      return { ok: false, status: 422, error: error.message, fieldErrors: { state: error.message } };
    }
    throw error;
  }
  logger.info({ operator: operator.email, server: input.name, state: input.state }, 'server state changed');
  return { ok: true, name: input.name, state: input.state };
}
