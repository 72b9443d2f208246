import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';

import { clientAddress, servedOverHttps, SOCKET_ADDRESS_HEADER, UNKNOWN_ADDRESS } from '../src/client-address';
import { stampSocketAddresses } from '../src/socket-address';

// Which address a request counts as: the socket's unless proxies are trusted, and then the entry the outermost
// trusted proxy appended, never one a client wrote itself.

/** One request from `localAddress` to a real Node server; answers what the server decided about it. */
async function requestFrom(localAddress: string, headers: Record<string, string>, trustedProxies: number): Promise<string> {
  const server = http.createServer((request, response) => {
    response.end(clientAddress(new Headers(request.headers as Record<string, string>), trustedProxies));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, localAddress, headers }, (response) => {
          let body = '';
          response.on('data', (chunk: Buffer) => (body += chunk.toString()));
          response.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('the client address', () => {
  it('is unknown (one shared limit) before the socket stamp is installed, whatever the client claims', async () => {
    expect(await requestFrom('127.0.0.7', { [SOCKET_ADDRESS_HEADER]: 'guessed 10.9.9.9', 'x-forwarded-for': '10.8.8.8' }, 0)).toBe(UNKNOWN_ADDRESS);
  });

  it('is the socket`s once stamped: a forged X-Forwarded-For or a forged stamp changes nothing', async () => {
    stampSocketAddresses();
    stampSocketAddresses(); // idempotent
    expect(await requestFrom('127.0.0.7', {}, 0)).toBe('127.0.0.7');
    expect(await requestFrom('127.0.0.8', { 'x-forwarded-for': '10.8.8.8', [SOCKET_ADDRESS_HEADER]: 'guessed 10.9.9.9' }, 0)).toBe('127.0.0.8');
  });

  it('with trusted proxies, is the entry the outermost trusted one appended', async () => {
    expect(await requestFrom('127.0.0.9', { 'x-forwarded-for': 'forged, 203.0.113.5' }, 1)).toBe('203.0.113.5');
    expect(await requestFrom('127.0.0.9', { 'x-forwarded-for': 'forged, 203.0.113.5, 10.0.0.2' }, 2)).toBe('203.0.113.5');
    // Fewer entries than proxies: the leftmost there is.
    expect(await requestFrom('127.0.0.9', { 'x-forwarded-for': '203.0.113.6' }, 2)).toBe('203.0.113.6');
    // No header (the request skipped the proxies): the socket.
    expect(await requestFrom('127.0.0.9', {}, 1)).toBe('127.0.0.9');
  });

  it('counts an IPv4 client of a dual-stack socket once', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '::ffff:203.0.113.7' }), 1)).toBe('203.0.113.7');
  });
});

describe('served over https', () => {
  it('when the public URL is https', () => {
    expect(servedOverHttps(new Headers(), { publicUrl: 'https://app.example.com', trustedProxies: 0 })).toBe(true);
    expect(servedOverHttps(new Headers(), { publicUrl: 'http://localhost:3000', trustedProxies: 0 })).toBe(false);
  });

  it('when a trusted proxy says so, never when only the client does', () => {
    const claimed = new Headers({ 'x-forwarded-proto': 'https' });
    expect(servedOverHttps(claimed, { publicUrl: undefined, trustedProxies: 0 })).toBe(false);
    expect(servedOverHttps(claimed, { publicUrl: undefined, trustedProxies: 1 })).toBe(true);
    expect(servedOverHttps(new Headers({ 'x-forwarded-proto': 'http' }), { publicUrl: undefined, trustedProxies: 1 })).toBe(false);
  });
});
