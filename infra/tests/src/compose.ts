import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { COMPOSE_FILE, ENV_EXAMPLE, REPO_ROOT } from './paths';

export interface PortMapping {
  hostIp?: string;
  published: number;
  target: number;
}

export interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string; target?: string } | string;
  environment?: Record<string, string | number | null> | string[];
  volumes?: (string | { type?: string; source?: string; target: string; read_only?: boolean })[];
  ports?: (string | number | { host_ip?: string; published?: number | string; target: number })[];
  healthcheck?: { test: string | string[]; interval?: string; timeout?: string; retries?: number; start_period?: string };
  depends_on?: string[] | Record<string, { condition?: string }>;
  entrypoint?: string | string[];
  command?: string | string[];
  profiles?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** compose.yml as written (variables not filled in), with YAML merge keys (`<<: *anchor`) applied as compose does. */
export function readComposeSource(): ComposeFile {
  return parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;
}

/**
 * compose.yml as Docker would run it with `envFile` as infra/docker/.env: docker-compose fills in the variables,
 * applies defaults and `:?` checks, resolves paths, and refuses an invalid file. Needs the docker-compose CLI only,
 * no engine. Its output escapes a literal `$` as `$$` again; `containerCommand()` undoes that.
 */
export function resolveCompose(envFile = ENV_EXAMPLE): ComposeFile {
  const output = execFileSync('docker-compose', ['--env-file', envFile, '-f', COMPOSE_FILE, 'config'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only the env file may fill in variables: a developer's exported DATABASE_URL must not leak into the result.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  return parse(output) as ComposeFile;
}

export function environmentOf(service: ComposeService): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]));
}

export function portsOf(service: ComposeService): PortMapping[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') {
      return { ...(port.host_ip ? { hostIp: port.host_ip } : {}), published: Number(port.published), target: Number(port.target) };
    }
    // [ip:]published:target[/protocol]
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    const target = Number(parts.pop());
    const published = Number(parts.pop());
    const hostIp = parts.length ? parts.join(':') : undefined;
    return { ...(hostIp ? { hostIp } : {}), published, target };
  });
}

export interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}

export function mountsOf(service: ComposeService): Mount[] {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'object') return { source: volume.source ?? '', target: volume.target, readOnly: volume.read_only === true };
    const [source = '', target = '', mode = ''] = volume.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

export function dependsOn(service: ComposeService): Record<string, string> {
  const deps = service.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, value]) => [name, value.condition ?? 'service_started']));
}

/**
 * A healthcheck as the command a container runs: CMD-SHELL becomes `sh -c`, CMD runs as it is. `$$` (compose's
 * escape for a literal `$`) becomes `$`.
 */
export function healthcheckCommand(service: ComposeService): string[] {
  const test = service.healthcheck?.test;
  if (test === undefined) throw new Error('no healthcheck');
  const parts = (typeof test === 'string' ? ['CMD-SHELL', test] : test).map((part) => part.replaceAll('$$', '$'));
  const [kind, ...rest] = parts;
  if (kind === 'CMD-SHELL') return ['/bin/sh', '-c', rest.join(' ')];
  if (kind === 'CMD') return rest;
  throw new Error(`unsupported healthcheck form ${String(kind)}`);
}

export interface EnvExample {
  /** `NAME=value` lines: what compose reads. */
  active: Map<string, string>;
  /** Every name written as an assignment, active or commented out (`# NAME=...`). */
  mentioned: Set<string>;
}

export function readEnvExample(file = ENV_EXAMPLE): EnvExample {
  const active = new Map<string, string>();
  const mentioned = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const assignment = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (assignment) {
      active.set(assignment[1]!, assignment[2]!);
      mentioned.add(assignment[1]!);
      continue;
    }
    const commented = /^#\s*([A-Z][A-Z0-9_]*)=/.exec(line);
    if (commented) mentioned.add(commented[1]!);
  }
  return { active, mentioned };
}
