import type { NextAuthOptions } from 'next-auth';
import type { JWT } from 'next-auth/jwt';
import CredentialsProvider from 'next-auth/providers/credentials';

import type { AuthLog } from './auth-route';
import { credentialsSchema } from './credentials';
import { safeRedirectUrl } from './redirect';
import { SessionEndedError, type SessionStore } from './sessions';

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
}

export interface CredentialsAuthConfig {
  secret: string;
  /** Checks email and password (argon2id); returns the account or null. Never throws for a wrong password. */
  verify(email: string, password: string): Promise<SignedInUser | null>;
  /**
   * Extra claims for the JWT: at sign-in (`user` set) and on `useSession().update(data)` (`update`
   * set). Whatever `update` asks for must be re-checked here, on the server: the client sends it.
   */
  claims?(input: { token: JWT; user?: SignedInUser; update?: unknown }): Promise<Record<string, unknown>>;
  /** Path of the app's sign-in page. */
  signInPage: string;
  /**
   * Cookie name prefix. Both apps run on localhost in development, and browsers do not separate
   * cookies by port: without distinct names, signing in to one app would sign out of the other.
   */
  cookiePrefix: string;
  secureCookies: boolean;
  /** The server-side sessions (sessions.ts): one starts at sign-in, every request checks it, sign-out ends it. */
  sessions: SessionStore;
  /** SESSION_MAX_AGE_SECONDS: the cookie does not outlive the session. */
  maxAgeSeconds: number;
  log: AuthLog & { error(fields: Record<string, unknown>, message: string): void };
}

/** next-auth v4 options for an email + password app with JWT sessions checked against the database. */
export function createAuthOptions(config: CredentialsAuthConfig): NextAuthOptions {
  const cookie = (name: string, httpOnly = true) => ({
    name: `${config.cookiePrefix}.${name}`,
    options: { httpOnly, sameSite: 'lax' as const, path: '/', secure: config.secureCookies },
  });
  const { sessions, log } = config;
  /** The cookie's session, still active (and now seen), or a SessionEndedError: next-auth then answers no session. */
  const stillActive = async (token: JWT): Promise<void> => {
    const state = await sessions.check(token.sid);
    if (state !== 'active') throw new SessionEndedError(state);
  };
  return {
    secret: config.secret,
    session: { strategy: 'jwt', maxAge: config.maxAgeSeconds },
    pages: { signIn: config.signInPage },
    cookies: {
      sessionToken: cookie('session-token'),
      callbackUrl: cookie('callback-url', false),
      csrfToken: cookie('csrf-token'),
    },
    providers: [
      CredentialsProvider({
        name: 'Email and password',
        credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
        async authorize(raw) {
          const parsed = credentialsSchema.safeParse(raw);
          if (!parsed.success) return null;
          return config.verify(parsed.data.email, parsed.data.password);
        },
      }),
    ],
    callbacks: {
      // Every redirect next-auth makes (after sign-in, after sign-out, the callback-url cookie) stays on this app.
      redirect: ({ url, baseUrl }) => safeRedirectUrl(url, baseUrl),
      async jwt({ token, user, trigger, session }) {
        if (user) {
          const signedIn = user as SignedInUser;
          token.sub = signedIn.id;
          token.email = signedIn.email;
          token.name = signedIn.name;
          token.sid = await sessions.start(signedIn.id);
          return { ...token, ...(await config.claims?.({ token, user: signedIn })) };
        }
        await stillActive(token);
        if (trigger === 'update') return { ...token, ...(await config.claims?.({ token, update: session })) };
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub }, claims: token };
      },
    },
    events: {
      // The cookie is deleted by next-auth; the session ends here, so a copy of the cookie stops working too.
      async signOut({ token }) {
        await sessions.end(token?.sid, 'signed-out');
        log.info({ event: 'session.signed-out', userId: token?.sub }, 'signed out');
      },
    },
    logger: {
      // An ended, idle or expired session is a normal end of a session, not a server error.
      error(code, metadata) {
        const error = metadata instanceof Error ? metadata : (metadata as { error?: unknown } | undefined)?.error;
        if (error instanceof SessionEndedError) {
          log.info({ event: 'session.refused', state: error.state }, `session ${error.state}: signed out`);
          return;
        }
        // A cookie this app did not issue (another secret, tampered with): the visitor is signed out, nothing broke.
        if (typeof (error as { code?: unknown } | undefined)?.code === 'string' && /^ERR_JW[ETS]_/.test((error as { code: string }).code)) {
          log.warn({ event: 'session.foreign-cookie', code, reason: (error as { code: string }).code }, 'session cookie not ours: ignored');
          return;
        }
        log.error({ event: 'next-auth.error', code, err: error instanceof Error ? error : undefined }, `next-auth: ${code}`);
      },
      warn(code) {
        log.warn({ event: 'next-auth.warning', code }, `next-auth: ${code}`);
      },
      debug() {},
    },
  };
}
