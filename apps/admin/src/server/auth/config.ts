import { createHmac } from 'node:crypto';

import { serverEnv } from '@/env';

// What both the auth options and the proxy need, without the database or argon2: the proxy imports only this.

/** Cookie name prefix: both apps run on localhost in development, and cookies are not separated by port. */
export const COOKIE_PREFIX = 'admin';
export const SESSION_COOKIE = `${COOKIE_PREFIX}.session-token`;
export const SIGN_IN_PATH = '/sign-in';
/** The claim that marks an operator session; tenant-app sessions never carry it. */
export const OPERATOR_KIND = 'operator';

let derived: string | undefined;

/**
 * The key that signs this app's session cookies: derived from NEXTAUTH_SECRET for this app alone. The tenant
 * app signs its cookies with NEXTAUTH_SECRET itself, so a tenant user's session token, even copied into this
 * app's cookie, does not decrypt here.
 */
export function sessionSecret(): string {
  derived ??= createHmac('sha256', serverEnv().NEXTAUTH_SECRET).update('tenancy-admin-session-v1').digest('hex');
  return derived;
}

export function secureCookies(): boolean {
  return serverEnv().NEXTAUTH_URL?.startsWith('https://') ?? false;
}
