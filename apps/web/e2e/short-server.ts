// The third web server of the e2e run (playwright.config.ts): the same build with timers of seconds, for the specs
// that wait out a sign-in window, a session lifetime or an API key's rate limit, and one trusted proxy (TRUST_PROXY=1) so that each of those
// tests is a client address of its own (X-Forwarded-For) and no test's limit blocks another's.

export const SHORT_TIMERS = {
  SIGN_IN_WINDOW_SECONDS: 20,
  SESSION_IDLE_SECONDS: 6,
  SESSION_MAX_AGE_SECONDS: 20,
  // The JSON API's limit per key (api.spec.ts waits out its window).
  API_RATE_LIMIT_REQUESTS: 5,
  API_RATE_LIMIT_WINDOW_SECONDS: 10,
} as const;

export const SHORT_PORT = Number(process.env.E2E_WEB_SHORT_PORT ?? 3212);

export const shortServerUrl = `http://127.0.0.1:${SHORT_PORT}`;

/** Its log (pino, level info), written by e2e/run.ts's temporary directory: the specs read what it logs. */
export const SHORT_LOG = process.env.E2E_WEB_SHORT_LOG;

/** The server's settings as its environment. */
export function shortServerEnv(): Record<string, string> {
  return { TRUST_PROXY: '1', LOG_LEVEL: 'info', ...Object.fromEntries(Object.entries(SHORT_TIMERS).map(([name, value]) => [name, String(value)])) };
}
