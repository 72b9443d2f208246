import type { NextAuthOptions } from 'next-auth';
import type { JWT } from 'next-auth/jwt';
import CredentialsProvider from 'next-auth/providers/credentials';
import { credentialsSchema } from './credentials.js';
import { safeRedirectUrl } from './redirect.js';

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
  maxAgeSeconds?: number;
}

/** next-auth v4 options for an email + password app with JWT sessions. */
export function createAuthOptions(config: CredentialsAuthConfig): NextAuthOptions {
  const cookie = (name: string, httpOnly = true) => ({
    name: `${config.cookiePrefix}.${name}`,
    options: { httpOnly, sameSite: 'lax' as const, path: '/', secure: config.secureCookies },
  });
  return {
    secret: config.secret,
    session: { strategy: 'jwt', maxAge: config.maxAgeSeconds ?? 8 * 60 * 60 },
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
          return { ...token, ...(await config.claims?.({ token, user: signedIn })) };
        }
        if (trigger === 'update') return { ...token, ...(await config.claims?.({ token, update: session })) };
        return token;
      },
      async session({ session, token }) {
        return { ...session, user: { ...session.user, id: token.sub }, claims: token };
      },
    },
  };
}
