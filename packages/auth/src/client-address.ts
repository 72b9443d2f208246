// Who is on the other end of a request, for the sign-in limits and the logs.
//
// Next.js gives a route handler no socket: it copies the socket address into X-Forwarded-For, but only when the
// client did not send that header itself (`??=` in its base server), so without help a client chooses its own
// address. socket-address.ts stamps the real one onto every request before Next sees it; this module reads the stamp,
// and reads X-Forwarded-For only when the deployment says how many proxies in front of the app append to it
// (TRUST_PROXY). Headers only, no Node APIs: the proxy and route handlers both call it.

/** The request header socket-address.ts writes: `<process token> <address>`. */
export const SOCKET_ADDRESS_HEADER = 'x-tenancy-socket-address';

/** Where socket-address.ts keeps this process's token (globalThis: the proxy and the routes are separate bundles). */
export const SOCKET_ADDRESS_TOKEN = Symbol.for('tenancy.socket-address-token');

/** What a request counts as when its address cannot be known: all of them share one limit. */
export const UNKNOWN_ADDRESS = 'unknown';

type HeaderSource = Pick<Headers, 'get'>;

/**
 * The client's address. `trustedProxies` 0 (the default): the socket's, whatever the request says. N > 0: the N-th
 * X-Forwarded-For entry from the right, the one the outermost trusted proxy appended (entries to its left are
 * whatever the client sent).
 */
export function clientAddress(headers: HeaderSource, trustedProxies: number): string {
  if (trustedProxies > 0) {
    const forwarded = forwardedEntry(headers.get('x-forwarded-for'), trustedProxies);
    if (forwarded !== undefined) return forwarded;
  }
  return socketAddress(headers) ?? UNKNOWN_ADDRESS;
}

/** The socket address stamped by this process, or undefined when there is no stamp or it was not ours. */
export function socketAddress(headers: HeaderSource): string | undefined {
  const token = (globalThis as Record<symbol, unknown>)[SOCKET_ADDRESS_TOKEN];
  const stamp = headers.get(SOCKET_ADDRESS_HEADER);
  if (typeof token !== 'string' || stamp === null) return undefined;
  const [given, address] = stamp.split(' ');
  return given === token && address ? normalise(address) : undefined;
}

/**
 * True when the browser reached the app over https: the public URL says so, or (only with trusted proxies) the
 * outermost trusted proxy's X-Forwarded-Proto does.
 */
export function servedOverHttps(headers: HeaderSource, options: { publicUrl?: string | undefined; trustedProxies: number }): boolean {
  if (options.publicUrl?.startsWith('https://')) return true;
  if (options.trustedProxies === 0) return false;
  return forwardedEntry(headers.get('x-forwarded-proto'), options.trustedProxies)?.toLowerCase() === 'https';
}

function forwardedEntry(header: string | null, trustedProxies: number): string | undefined {
  if (!header) return undefined;
  const entries = header
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) return undefined;
  // Fewer entries than proxies: the request skipped some of them; the leftmost is the best that is known.
  const entry = entries[Math.max(entries.length - trustedProxies, 0)]!;
  return normalise(entry);
}

/** IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d; count them once. */
function normalise(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice('::ffff:'.length) : lower;
}
