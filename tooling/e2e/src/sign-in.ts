import http from 'node:http';
import type { APIRequestContext } from '@playwright/test';

// Both apps' sign-in as their forms post it (next-auth's credentials callback with json=true), for the e2e specs that
// count attempts: through Playwright's request context, or from a chosen local address with Node's http client, which
// makes the socket address of the request (127.0.0.0/8 all reaches a server on 127.0.0.1).

export interface SignInAnswer {
  status: number;
  /** The Retry-After header, when there is one. */
  retryAfter: string | undefined;
  /** The error code of the answer's `url` (next-auth's CredentialsSignin, the limit's TooManyAttempts), or null. */
  error: string | null;
}

export interface Credentials {
  email: string;
  password: string;
}

const errorOf = (body: string): string | null => {
  try {
    const { url } = JSON.parse(body) as { url?: string };
    return url ? new URL(url, 'http://relative.invalid').searchParams.get('error') : null;
  } catch {
    return null;
  }
};

/** Through `request` (its cookie jar keeps the CSRF cookie); `headers` go on both requests (e.g. X-Forwarded-For). */
export async function postSignIn(request: APIRequestContext, credentials: Credentials, headers: Record<string, string> = {}): Promise<SignInAnswer> {
  const { csrfToken } = (await (await request.get('/api/auth/csrf', { headers })).json()) as { csrfToken: string };
  const response = await request.post('/api/auth/callback/credentials', { form: { ...credentials, csrfToken, json: 'true' }, headers, maxRedirects: 0 });
  return { status: response.status(), retryAfter: response.headers()['retry-after'], error: errorOf(await response.text()) };
}

/** From `localAddress` (e.g. 127.0.0.23), so the server sees that socket address. */
export async function postSignInFrom(
  baseURL: string,
  localAddress: string,
  credentials: Credentials,
  headers: Record<string, string> = {},
): Promise<SignInAnswer> {
  const csrf = await send(baseURL, localAddress, 'GET', '/api/auth/csrf', headers);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const cookie = csrf.setCookie.map((line) => line.split(';', 1)[0]).join('; ');
  const body = new URLSearchParams({ ...credentials, csrfToken, json: 'true' }).toString();
  const answer = await send(
    baseURL,
    localAddress,
    'POST',
    '/api/auth/callback/credentials',
    {
      ...headers,
      cookie,
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(Buffer.byteLength(body)),
    },
    body,
  );
  return { status: answer.status, retryAfter: answer.headers['retry-after'] as string | undefined, error: errorOf(answer.body) };
}

function send(
  baseURL: string,
  localAddress: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; setCookie: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(new URL(path, baseURL), { method, headers, localAddress }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, setCookie: response.headers['set-cookie'] ?? [], body: text }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Signs in over plain HTTP with Node's fetch, as the form does (csrf token, then the credentials callback), for the
 * runs that drive a server without a browser (the web benchmark, the reliability soak). Returns the Cookie header that
 * carries the session; throws when no session cookie came back.
 */
export async function sessionCookie(origin: string, credentials: Credentials): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const csrf = await fetch(`${origin}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const callback = await fetch(`${origin}/api/auth/callback/credentials`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
    body: new URLSearchParams({ csrfToken, email: credentials.email, password: credentials.password, json: 'true' }),
    redirect: 'manual',
  });
  keep(callback);
  const session = [...jar.keys()].find((name) => name.endsWith('session-token'));
  if (!session) throw new Error(`signing in as ${credentials.email} failed (HTTP ${callback.status})`);
  return `${session}=${jar.get(session)}`;
}
