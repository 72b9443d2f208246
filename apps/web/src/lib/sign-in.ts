'use client';

import { getProviders, signIn } from 'next-auth/react';

import { isConnectionFailure } from './use-form-action';

export type SignInOutcome = 'signed-in' | 'refused' | 'unreachable' | 'failed';

/**
 * next-auth's signIn() for the credentials provider, minus the one way it fails that loses the page: it first
 * fetches the provider list and, when that request fails, sends the browser to its error page (offline, the
 * browser's own "no internet" page) instead of returning. Asking for the list first, and catching the sign-in
 * request's own failure, keeps the form and what was typed. Both apps sign in through this.
 */
export async function signInWithCredentials(credentials: { email: string; password: string }): Promise<SignInOutcome> {
  if (!(await getProviders())) return 'unreachable';
  try {
    const result = await signIn('credentials', { ...credentials, redirect: false });
    if (!result) return 'failed';
    if (result.error) return result.error === 'CredentialsSignin' ? 'refused' : 'failed';
    return 'signed-in';
  } catch (error) {
    return isConnectionFailure(error) ? 'unreachable' : 'failed';
  }
}
