import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

type Endpoint = { socketPath: string } | { host: string; port: number; tls: boolean };

/**
 * Whether a Docker engine answers within `timeoutMs`. testcontainers' own discovery can take
 * many seconds to give up, and here no engine is the common case, so we ask `/_ping` ourselves
 * on the endpoints it would try and let it start only when one replies.
 */
export async function dockerEngineAnswers(timeoutMs = 1500): Promise<boolean> {
  const endpoint = findEndpoint();
  if (!endpoint) return false;
  if ('tls' in endpoint && endpoint.tls) return canConnect(endpoint.host, endpoint.port, timeoutMs);
  return ping(endpoint, timeoutMs);
}

function findEndpoint(): Endpoint | undefined {
  const fromEnv = process.env.DOCKER_HOST;
  if (fromEnv) return parseDockerHost(fromEnv);
  const candidates = [
    '/var/run/docker.sock',
    process.env.XDG_RUNTIME_DIR && path.join(process.env.XDG_RUNTIME_DIR, 'docker.sock'),
    path.join(os.homedir(), '.docker', 'run', 'docker.sock'),
  ];
  const socketPath = candidates.find((candidate): candidate is string => !!candidate && existsSync(candidate));
  return socketPath ? { socketPath } : undefined;
}

// ssh:// and npipe:// hosts cannot be pinged cheaply from here; we treat them as absent.
function parseDockerHost(value: string): Endpoint | undefined {
  if (value.startsWith('unix://')) return { socketPath: value.slice('unix://'.length) };
  if (!value.startsWith('tcp://')) return undefined;
  const url = new URL(value);
  const tls = process.env.DOCKER_TLS_VERIFY === '1';
  return { host: url.hostname, port: Number(url.port || (tls ? 2376 : 2375)), tls };
}

function ping(endpoint: Endpoint, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const target = 'socketPath' in endpoint ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
    const request = http.get({ ...target, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(false));
  });
}

function canConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}
