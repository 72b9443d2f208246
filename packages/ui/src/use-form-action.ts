'use client';

import { unstable_rethrow } from 'next/navigation';
import { useActionState, useCallback } from 'react';

import { IDLE, textFields, type ActionState } from './action-state';

type FormAction<R> = (previous: ActionState<R>, formData: FormData) => Promise<ActionState<R>>;

/**
 * Why a request got no usable answer, for the person who sent it. A server action never throws for a refusal
 * (each app's src/server/action.ts turns every one into a message), so what reaches the browser as an exception
 * is the request itself: the connection failed (fetch rejects with a TypeError), or something between browser and
 * app answered instead of the app (a proxy's error page). Either way the server may have done the work before the
 * answer was lost, so neither message promises that nothing happened; and neither claims the problem was logged,
 * since the server may never have seen the request.
 */
export function requestFailureMessage(error: unknown): string {
  if (isConnectionFailure(error)) {
    return 'Could not reach the server, so it is not known whether this went through. Check your connection and try again; what you typed is still here.';
  }
  return 'The server did not answer as expected, so it is not known whether this went through. Try again in a moment; what you typed is still here.';
}

/** The request did not get through: the browser is offline, or fetch rejected (always a TypeError). */
export function isConnectionFailure(error: unknown): boolean {
  return (typeof navigator !== 'undefined' && navigator.onLine === false) || error instanceof TypeError;
}

/**
 * useActionState for a form posting to a server action, that keeps the form when the request fails on the way:
 * the failure becomes the form's error state with the submitted values (which the form shows again), instead of
 * an exception that replaces the page with the error boundary. redirect() and notFound() still navigate.
 */
export function useFormAction<R>(action: FormAction<R>) {
  const run = useCallback<FormAction<R>>(
    async (previous, formData) => {
      try {
        return await action(previous, formData);
      } catch (error) {
        unstable_rethrow(error);
        return { status: 'error', kind: 'unavailable', message: requestFailureMessage(error), values: textFields(formData), at: Date.now() };
      }
    },
    [action],
  );
  return useActionState<ActionState<R>, FormData>(run, IDLE);
}
