import 'server-only';

import { createSessionStore, type SessionStore } from '@repo/auth/sessions';

import { serverEnv } from '@/env';

import { authPool } from './accounts';

// The web's server-side sessions: public.user_sessions, written as app_auth (the role that signs users in), ended after
// SESSION_IDLE_SECONDS without a request and SESSION_MAX_AGE_SECONDS after sign-in.

let store: SessionStore | undefined;

export function sessionStore(): SessionStore {
  if (!store) {
    const env = serverEnv();
    store = createSessionStore(authPool(), 'user_sessions', { idleSeconds: env.SESSION_IDLE_SECONDS, maxAgeSeconds: env.SESSION_MAX_AGE_SECONDS });
  }
  return store;
}
