// The headers every response of both apps carries, set by each app's proxy (proxy.ts runs for every path).
//
// The Content-Security-Policy allows scripts only with this response's nonce: Next.js reads the nonce from the
// policy on the *request* (so the proxy passes the policy downstream too) and puts it on every script it renders,
// and 'strict-dynamic' lets those scripts load the chunks they import. Pages must therefore render per request
// (the root layouts say force-dynamic): a page prerendered at build time would have scripts without the nonce.

export interface SecurityHeaderOptions {
  /** Fresh for every response: see newNonce(). */
  nonce: string;
  /** The browser reached the app over https (client-address.ts servedOverHttps): only then is HSTS sent. */
  https: boolean;
  /** `next dev`: React's dev build evaluates code and Next's hot reload talks over a websocket. */
  development: boolean;
}

export const CONTENT_SECURITY_POLICY = 'content-security-policy';

/** 128 random bits, base64: what a CSP nonce should be. Web Crypto, so it works in any runtime. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export function contentSecurityPolicy({ nonce, https, development }: SecurityHeaderOptions): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", `'nonce-${nonce}'`, "'strict-dynamic'", ...(development ? ["'unsafe-eval'"] : [])],
    // Stylesheets are files of the app; React's style={{...}} attributes (a width, a margin) cannot carry a nonce.
    'style-src': ["'self'", `'nonce-${nonce}'`],
    'style-src-attr': ["'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...(development ? ['ws:', 'wss:'] : [])],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  const policy = Object.entries(directives).map(([name, values]) => `${name} ${values.join(' ')}`);
  if (https) policy.push('upgrade-insecure-requests');
  return policy.join('; ');
}

/** Every security header of a response, by lower-case name. */
export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    [CONTENT_SECURITY_POLICY]: contentSecurityPolicy(options),
    // frame-ancestors' predecessor, for browsers that ignore CSP.
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // The app's URLs name projects and tasks: other sites learn nothing from a link followed out of it.
    'referrer-policy': 'same-origin',
    // Only over https (a browser ignores HSTS over http anyway, and a local http deployment must stay reachable); this
    // host only: the app does not know what else runs on its parent domain.
    ...(options.https ? { 'strict-transport-security': 'max-age=31536000' } : {}),
  };
}
