import { createHash } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';

// Failed sign-ins are limited per account and per client address, counted in PostgreSQL (public.sign_in_limits,
// control-plane migration 0005) by rate-limiter-flexible, so the limits hold across processes and restarts.
//
// An attempt takes its points BEFORE the password is checked: a burst of parallel guesses is counted in full, and a
// blocked account or address is refused without learning whether the password was right. A successful sign-in gives
// them back (the account's count starts again, the address keeps only its failures).

/** What the limiter needs from a pg.Pool (the app's sign-in pool: app_auth for the web, app_operator for the admin). */
export interface LimiterDatabase {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

export interface SignInLimitSettings {
  /** The window of both counts, from an account's or address's first counted failure. */
  windowSeconds: number;
  maxFailuresPerAccount: number;
  maxFailuresPerAddress: number;
}

export type SignInAttempt =
  | { allowed: true; /** The password was right: give the points back. */ succeeded(): Promise<void> }
  | { allowed: false; retryAfterSeconds: number; limitedBy: 'account' | 'address' };

export interface SignInLimiter {
  /** Counts one attempt for `account` (a normalised email; undefined when there is none) and `address`. */
  attempt(input: { account: string | undefined; address: string }): Promise<SignInAttempt>;
}

export const SIGN_IN_LIMITS_TABLE = 'sign_in_limits';

/**
 * `app` keeps the two apps' counts apart in the one table (an operator and a user may share an email). Keys are
 * hashes: the table never holds an email or an address.
 */
export function createSignInLimiter(db: LimiterDatabase, app: string, settings: SignInLimitSettings): SignInLimiter {
  // rate-limiter-flexible names its statements, and named prepared statements fail through PgBouncer in transaction
  // mode (which serves the sign-in roles in the Docker stack): hand it a client that sends them unnamed.
  const storeClient = { query: (query: { text: string; values?: unknown[] }) => db.query(query.text, query.values) };
  const limiter = (name: string, points: number, sweep: boolean) =>
    new RateLimiterPostgres({
      storeClient,
      storeType: 'client',
      tableName: SIGN_IN_LIMITS_TABLE,
      // The migration creates the table; the sign-in roles may not.
      tableCreated: true,
      // One of the two sweeps expired rows (every 5 minutes, rows expired for an hour); both share the table.
      clearExpiredByTimeout: sweep,
      keyPrefix: `${app}:${name}`,
      points,
      duration: settings.windowSeconds,
    });
  const accounts = limiter('account', settings.maxFailuresPerAccount, true);
  const addresses = limiter('address', settings.maxFailuresPerAddress, false);

  return {
    async attempt({ account, address }) {
      const accountKey = account === undefined ? undefined : hashed(account);
      const addressKey = hashed(address);
      const [byAccount, byAddress] = await Promise.allSettled([
        accountKey === undefined ? Promise.resolve(undefined) : accounts.consume(accountKey),
        addresses.consume(addressKey),
      ]);
      const refusals: { by: 'account' | 'address'; res: RateLimiterRes }[] = [];
      for (const [by, outcome] of [
        ['account', byAccount],
        ['address', byAddress],
      ] as const) {
        if (outcome.status === 'fulfilled') continue;
        // A RateLimiterRes is a refusal; anything else is the database failing, and sign-in fails closed with it.
        if (!(outcome.reason instanceof RateLimiterRes)) throw outcome.reason;
        refusals.push({ by, res: outcome.reason });
      }
      if (refusals.length > 0) {
        const longest = refusals.reduce((a, b) => (b.res.msBeforeNext > a.res.msBeforeNext ? b : a));
        return { allowed: false, limitedBy: longest.by, retryAfterSeconds: Math.max(1, Math.ceil(longest.res.msBeforeNext / 1000)) };
      }
      return {
        allowed: true,
        async succeeded() {
          await Promise.all([accountKey === undefined ? undefined : accounts.delete(accountKey), addresses.reward(addressKey, 1)]);
        },
      };
    },
  };
}

function hashed(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}
