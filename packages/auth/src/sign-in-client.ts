// The sign-in forms' request, in the browser. It is the request next-auth's own signIn('credentials') makes (the CSRF
// token, the credentials, json=true, to /api/auth/callback/credentials), made here for two reasons: signIn() keeps the
// response's status and Retry-After to itself (the form has to say how long a limited account must wait), and when
// its first request fails on the network it sends the browser to its error page, losing the form and what was typed.

export type SignInOutcome =
  | { ok: true }
  | { ok: false; reason: 'credentials' }
  | { ok: false; reason: 'too-many-attempts'; retryAfterSeconds: number }
  | { ok: false; reason: 'unreachable' }
  | { ok: false; reason: 'failed' };

export async function signInWithCredentials(credentials: { email: string; password: string }): Promise<SignInOutcome> {
  try {
    const csrf = (await (await fetch('/api/auth/csrf')).json().catch(() => null)) as { csrfToken?: unknown } | null;
    if (typeof csrf?.csrfToken !== 'string') return { ok: false, reason: 'failed' };
    const response = await fetch('/api/auth/callback/credentials', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...credentials, csrfToken: csrf.csrfToken, json: 'true' }),
    });
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      return { ok: false, reason: 'too-many-attempts', retryAfterSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 60 };
    }
    const body = (await response.json().catch(() => null)) as { url?: unknown } | null;
    const error = typeof body?.url === 'string' ? new URL(body.url, 'http://relative.invalid').searchParams.get('error') : 'missing';
    if (response.ok && error === null) return { ok: true };
    return { ok: false, reason: error === 'CredentialsSignin' ? 'credentials' : 'failed' };
  } catch (error) {
    // fetch rejects (always with a TypeError) only when the request did not get through.
    return { ok: false, reason: isConnectionFailure(error) ? 'unreachable' : 'failed' };
  }
}

function isConnectionFailure(error: unknown): boolean {
  // The package compiles without the DOM types: the browser's navigator is read through globalThis.
  const { navigator } = globalThis as { navigator?: { onLine?: boolean } };
  return navigator?.onLine === false || error instanceof TypeError;
}

/** What the forms say when the limit is reached. */
export function tooManyAttemptsMessage(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many attempts, try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}

/** The form's message for every outcome but success; `refused` is the app's own wording for wrong credentials. */
export function signInFailureMessage(outcome: Exclude<SignInOutcome, { ok: true }>, refused: string): string {
  switch (outcome.reason) {
    case 'credentials':
      return refused;
    case 'too-many-attempts':
      return tooManyAttemptsMessage(outcome.retryAfterSeconds);
    case 'unreachable':
      return 'Could not reach the server. Check your connection and try again.';
    case 'failed':
      return 'Signing in failed. Please try again in a moment.';
  }
}
