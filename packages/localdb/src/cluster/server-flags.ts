export type ServerSettings = Record<string, string | number | boolean>;

export interface ServerFlagOptions {
  host: string;
  /** false only for throw-away test clusters: a crash may then corrupt the data. */
  fsync: boolean;
  settings: ServerSettings;
}

// Defaults sized for a dev box that runs two apps, tests in parallel and a pooler against one
// server. Unix sockets are off: clients here use TCP, and a socket in /tmp or
// /var/run/postgresql could collide with a system PostgreSQL.
const BASE_SETTINGS: ServerSettings = {
  max_connections: 300,
  unix_socket_directories: '',
};

// Every write-durability knob off at once; fsync alone still waits on commit flushes.
const NO_FSYNC: ServerSettings = {
  fsync: false,
  synchronous_commit: false,
  full_page_writes: false,
};

export function serverFlags({ host, fsync, settings }: ServerFlagOptions): string[] {
  const merged: ServerSettings = { ...BASE_SETTINGS, ...(fsync ? {} : NO_FSYNC), listen_addresses: host, ...settings };
  return Object.entries(merged).flatMap(([name, value]) => ['-c', `${name}=${formatValue(value)}`]);
}

function formatValue(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return String(value);
}

// UTF8 with the builtin C.UTF-8 provider (PostgreSQL 17+) gives Unicode-aware upper()/lower()
// without depending on which OS locales happen to be installed; collation stays C (bytewise).
export const INITDB_FLAGS = ['--encoding=UTF8', '--locale=C', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'];
