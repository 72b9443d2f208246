import { getCsrfToken } from 'next-auth/react';

// The sign-in forms' request, in the browser. It is the request next-auth's own signIn('credentials') makes (the CSRF
// token, the credentials, json=true, to /api/auth/callback/credentials), made here because signIn() keeps the
// response's status and Retry-After to itself: the form has to say how long a limited account must wait.

export type SignInOutcome =
  | { ok: true }
  | { ok: false; reason: 'credentials' }
  | { ok: false; reason: 'too-many-attempts'; retryAfterSeconds: number }
  | { ok: false; reason: 'failed' };

export async function signInWithCredentials(credentials: { email: string; password: string }): Promise<SignInOutcome> {
  try {
    const csrfToken = await getCsrfToken();
    if (!csrfToken) return { ok: false, reason: 'failed' };
    const response = await fetch('/api/auth/callback/credentials', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...credentials, csrfToken, json: 'true' }),
    });
    if (response.status === 429) {
      const seconds = Number(response.headers.get('retry-after'));
      return { ok: false, reason: 'too-many-attempts', retryAfterSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 60 };
    }
    const body = (await response.json().catch(() => null)) as { url?: unknown } | null;
    const error = typeof body?.url === 'string' ? new URL(body.url, 'http://relative.invalid').searchParams.get('error') : 'missing';
    if (response.ok && error === null) return { ok: true };
    return { ok: false, reason: error === 'CredentialsSignin' ? 'credentials' : 'failed' };
  } catch {
    return { ok: false, reason: 'failed' };
  }
}

/** What the forms say when the limit is reached. */
export function tooManyAttemptsMessage(retryAfterSeconds: number): string {
  const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
  return `Too many attempts, try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}.`;
}
