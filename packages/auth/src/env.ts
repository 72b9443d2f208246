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
