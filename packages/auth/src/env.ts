import { z } from 'zod';

// The rules of the settings both apps read under the same names (each app's src/env.ts lists the keys, so a reader
// and the infra parity tests see every variable there). No relative imports: next.config.ts loads the apps' env.ts,
// and this file with it, through Node's require hook.

/** TRUST_PROXY: how many reverse proxies in front of the app append to X-Forwarded-For and set X-Forwarded-Proto. */
export const trustProxySetting = z.coerce
  .number({ error: 'must be a whole number of proxies (0: none, read the socket)' })
  .int('must be a whole number of proxies (0: none, read the socket)')
  .min(0)
  .max(10)
  .default(0);

const seconds = (fallback: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number of seconds' })
    .int('must be a whole number of seconds')
    .min(1, 'must be at least 1 second')
    .max(max, `must be at most ${max} seconds`)
    .default(fallback);

const count = (fallback: number) => z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1).max(100_000).default(fallback);

/** Sign-in limits: failed attempts counted per account and per client address, in a window that starts at the first. */
export const signInWindowSetting = seconds(15 * 60, 24 * 60 * 60);
export const signInFailuresPerAccountSetting = count(5);
export const signInFailuresPerAddressSetting = count(20);

/** Sessions: ended after this long without a request (idle), and this long after sign-in whatever happens (absolute). */
export const sessionIdleSetting = seconds(30 * 60, 7 * 24 * 60 * 60);
export const sessionMaxAgeSetting = seconds(12 * 60 * 60, 30 * 24 * 60 * 60);

/** For a `.refine` on the app's schema: an idle timeout longer than the absolute lifetime would never apply. */
export const sessionLifetimeConsistent = (value: { SESSION_IDLE_SECONDS: number; SESSION_MAX_AGE_SECONDS: number }): boolean =>
  value.SESSION_IDLE_SECONDS <= value.SESSION_MAX_AGE_SECONDS;
