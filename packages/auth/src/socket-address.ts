import { randomBytes } from 'node:crypto';
import http from 'node:http';

import { SOCKET_ADDRESS_HEADER, SOCKET_ADDRESS_TOKEN } from './client-address';

// Next.js hands route handlers and the proxy a web Request without its socket, and fills X-Forwarded-For from the
// socket only when the client did not send one. So that "the client's address" can mean the socket's by default
// (client-address.ts), every request gets the socket address written into a header of its own as the Node server
// receives it, before Next reads any header. The value carries a random token of this process, so a client that
// sends the header itself, or a request that arrived before this was installed, is not believed.
//
// It wraps http.Server.prototype.emit: the standalone server and `next start` create their http.Server before the
// instrumentation hook runs, and look `emit` up on the prototype for every request. (`next dev --experimental-https`
// serves through https.Server, which this does not cover: those requests count as one unknown address.)

const INSTALLED = Symbol.for('tenancy.socket-address-installed');

type Emit = (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;

/** Installs the stamp once per process; call it from the instrumentation hook (Node runtime only). */
export function stampSocketAddresses(): void {
  const prototype = http.Server.prototype as http.Server & { [INSTALLED]?: true };
  if (prototype[INSTALLED]) return;
  const token = randomBytes(16).toString('hex');
  (globalThis as Record<symbol, unknown>)[SOCKET_ADDRESS_TOKEN] = token;
  const emit = prototype.emit as Emit;
  const stamped: Emit = function (event, ...args) {
    if (event === 'request') {
      const request = args[0] as http.IncomingMessage;
      // Overwrites whatever the client sent under this name.
      request.headers[SOCKET_ADDRESS_HEADER] = `${token} ${request.socket.remoteAddress ?? ''}`;
    }
    return emit.call(this, event, ...args);
  };
  prototype.emit = stamped as typeof prototype.emit;
  prototype[INSTALLED] = true;
}
