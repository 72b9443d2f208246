import 'server-only';

import { serverEnv } from '@/env';

/** This app's public URL, which links in mail point at: configuration, never a request's Host header. */
export function publicOrigin(): string {
  return (serverEnv().NEXTAUTH_URL ?? 'http://localhost:3000').replace(/\/$/, '');
}
