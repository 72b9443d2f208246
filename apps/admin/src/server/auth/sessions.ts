import 'server-only';

import { createSessionStore, type SessionStore } from '@repo/auth/sessions';

import { serverEnv } from '@/env';

import { operatorDb } from '../operator-db';

// The console's server-side sessions: public.operator_sessions, written as app_operator (the role that signs operators
// in), ended after SESSION_IDLE_SECONDS without a request and SESSION_MAX_AGE_SECONDS after sign-in.

let store: SessionStore | undefined;

export function sessionStore(): SessionStore {
  if (!store) {
    const env = serverEnv();
    store = createSessionStore(operatorDb(), 'operator_sessions', { idleSeconds: env.SESSION_IDLE_SECONDS, maxAgeSeconds: env.SESSION_MAX_AGE_SECONDS });
  }
  return store;
}
