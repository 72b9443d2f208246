// Server-side sessions behind next-auth's JWT cookie. The cookie carries a session id (`sid`); every request checks it
// against public.user_sessions / public.operator_sessions (control-plane migration 0006), so a session ends for real:
// at sign-out (a copy of the cookie stops working too), after SESSION_IDLE_SECONDS without a request, at
// SESSION_MAX_AGE_SECONDS after sign-in, and when the database ends it (a member removed, a password changed).

/** What the store needs from a pg.Pool (the app's sign-in pool). */
export interface SessionDatabase {
  query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

/** The web's sessions (app_auth) or the admin's (app_operator). Fixed names, never request data. */
export type SessionTable = 'user_sessions' | 'operator_sessions';

export interface SessionPolicy {
  idleSeconds: number;
  maxAgeSeconds: number;
}

export type SessionState = 'active' | 'idle' | 'expired' | 'ended' | 'unknown';
export type EndReason = 'signed-out';

export interface SessionStore {
  /** A new session of `accountId`; its id goes into the cookie. */
  start(accountId: string): Promise<string>;
  /** The session's state now; an active one counts as seen (which keeps the idle timeout away). */
  check(sessionId: unknown): Promise<SessionState>;
  end(sessionId: unknown, reason: EndReason): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ended and expired sessions of an account are deleted at its next sign-in, after this long (they show what happened). */
const KEEP_FINISHED = '7 days';

export function createSessionStore(db: SessionDatabase, table: SessionTable, policy: SessionPolicy): SessionStore {
  // Writing last_seen_at on every request would cost a row version per request: it is written when it is older than a
  // tenth of the idle timeout, so a session may end up to that much early, never late.
  const touchAfterSeconds = policy.idleSeconds / 10;
  return {
    async start(accountId) {
      const { rows } = await db.query<{ id: string }>(
        `WITH finished AS (
           DELETE FROM public.${table} WHERE account_id = $1 AND coalesce(ended_at, expires_at) < now() - interval '${KEEP_FINISHED}'
         )
         INSERT INTO public.${table} (account_id, expires_at) VALUES ($1, now() + make_interval(secs => $2)) RETURNING id`,
        [accountId, policy.maxAgeSeconds],
      );
      return rows[0]!.id;
    },

    async check(sessionId) {
      if (typeof sessionId !== 'string' || !UUID.test(sessionId)) return 'unknown';
      const { rows } = await db.query<{ state: SessionState }>(
        `WITH found AS (
           SELECT id, last_seen_at,
                  CASE WHEN ended_at IS NOT NULL THEN 'ended'
                       WHEN expires_at <= now() THEN 'expired'
                       WHEN last_seen_at <= now() - make_interval(secs => $2) THEN 'idle'
                       ELSE 'active' END AS state
             FROM public.${table} WHERE id = $1
         ), touched AS (
           UPDATE public.${table} s SET last_seen_at = now() FROM found
            WHERE s.id = found.id AND found.state = 'active' AND found.last_seen_at < now() - make_interval(secs => $3)
         )
         SELECT state FROM found`,
        [sessionId, policy.idleSeconds, touchAfterSeconds],
      );
      return rows[0]?.state ?? 'unknown';
    },

    async end(sessionId, reason) {
      if (typeof sessionId !== 'string' || !UUID.test(sessionId)) return;
      await db.query(`UPDATE public.${table} SET ended_at = now(), end_reason = $2 WHERE id = $1 AND ended_at IS NULL`, [sessionId, reason]);
    },
  };
}

/** Thrown from next-auth's jwt callback when the cookie's session is no longer active: next-auth then has no session. */
export class SessionEndedError extends Error {
  constructor(readonly state: Exclude<SessionState, 'active'>) {
    super(`session ${state}`);
    this.name = 'SessionEndedError';
  }
}
