import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startPgBouncer, type PgBouncer } from '@repo/localdb/pgbouncer';
import { environmentOf, mountsOf, type ComposeService } from './compose';
import { execCommand, finalStage, parseDockerfile } from './dockerfile';
import type { Network } from './network';
import { INFRA_DIR } from './paths';
import { runOk } from './processes';

export const CONTAINER_INI = '/etc/pgbouncer/pgbouncer.ini';
export const PGBOUNCER_DOCKERFILE = path.join(INFRA_DIR, 'pgbouncer', 'Dockerfile');

/** The ini file the pgbouncer service mounts, found through its volumes (not by a path written here). */
export function mountedIniFile(service: ComposeService): string {
  const mount = mountsOf(service).find((candidate) => candidate.target === CONTAINER_INI);
  if (!mount) throw new Error(`the pgbouncer service mounts nothing at ${CONTAINER_INI}`);
  return mount.source;
}

export interface IniSubstitution {
  from: string;
  to: string;
}

/**
 * The mounted ini as a local pgbouncer needs it: only what the container's surroundings decide changes. The
 * server (a compose service name and port) becomes the local stand-in, the listen port and the auth file become
 * the local pgbouncer's. Every other line stays byte for byte; `substitutions` lists what changed.
 */
export function localIni(ini: string, network: Network, runtime: { port: number; authFile: string }): { ini: string; substitutions: IniSubstitution[] } {
  const substitutions: IniSubstitution[] = [];
  const lines = ini.split('\n').map((line) => {
    let next = line.replace(/\bhost=([A-Za-z0-9._-]+) port=(\d+)/g, (whole, host: string, port: string) => {
      const service = network[host];
      if (!service) throw new Error(`pgbouncer.ini routes to ${host}, which the test does not run`);
      if (Number(port) !== service.containerPort) throw new Error(`pgbouncer.ini routes to ${host}:${port}, but ${host} listens on ${service.containerPort}`);
      return `host=127.0.0.1 port=${service.localPort}`;
    });
    next = next.replace(/^listen_port = \d+$/, `listen_port = ${runtime.port}`);
    next = next.replace(/^auth_file = .*$/, `auth_file = ${runtime.authFile}`);
    if (next !== line) substitutions.push({ from: line, to: next });
    return next;
  });
  return { ini: lines.join('\n'), substitutions };
}

/**
 * The auth file exactly as the container's entrypoint writes it: the image's ENTRYPOINT script, run with the
 * service's environment and PGBOUNCER_RENDER_ONLY=1 on a copy of the ini whose auth_file points into a temp dir.
 */
export async function renderUserlist(ini: string, env: Record<string, string>): Promise<string> {
  const entrypoint = execCommand(finalStage(parseDockerfile(PGBOUNCER_DOCKERFILE)), 'ENTRYPOINT');
  const script = entrypoint?.at(-1);
  if (!script) throw new Error(`${PGBOUNCER_DOCKERFILE} has no ENTRYPOINT`);
  // The image copies start.sh to the entrypoint's path; outside it, run the file the COPY line takes.
  const source = path.join(path.dirname(PGBOUNCER_DOCKERFILE), 'start.sh');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'infra-userlist-'));
  try {
    const authFile = path.join(dir, 'userlist.txt');
    const iniFile = path.join(dir, 'pgbouncer.ini');
    await writeFile(iniFile, ini.replace(/^auth_file = .*$/m, `auth_file = ${authFile}`));
    await runOk(entrypoint![0]!, [source, iniFile], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, PGBOUNCER_RENDER_ONLY: '1' } });
    return await readFile(authFile, 'utf8');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface ComposePgBouncer {
  bouncer: PgBouncer;
  committedIni: string;
  startedIni: string;
  substitutions: IniSubstitution[];
  userlist: string;
}

/** The pgbouncer service outside Docker: its mounted ini (network substitutions only) and its entrypoint's auth file. */
export async function startComposePgBouncer(service: ComposeService, network: Network): Promise<ComposePgBouncer> {
  const committedIni = await readFile(mountedIniFile(service), 'utf8');
  const userlist = await renderUserlist(committedIni, environmentOf(service));
  let started: { ini: string; substitutions: IniSubstitution[] } | undefined;
  const bouncer = await startPgBouncer({
    ini: (runtime) => (started = localIni(committedIni, network, runtime)).ini,
    userlist,
  });
  return { bouncer, committedIni, startedIni: started!.ini, substitutions: started!.substitutions, userlist };
}
