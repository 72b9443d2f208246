'use client';

import { unstable_rethrow } from 'next/navigation';
import { useActionState, useCallback } from 'react';

import type { ActionState } from '@/server/validated';

type FormAction<R> = (previous: ActionState<R>, formData: FormData) => Promise<ActionState<R>>;

/**
 * Why a request got no usable answer, for the operator who sent it. An operator action never throws for a refusal
 * (src/server/validated.ts returns it), so what reaches the browser as an exception is the request itself: the
 * connection failed (fetch rejects with a TypeError), or something between browser and app answered instead of the
 * app. The server may have done the work before the answer was lost, so neither message promises that nothing
 * happened. The same words as apps/web's useFormAction.
 */
export function requestFailureMessage(error: unknown): string {
  if (isConnectionFailure(error)) {
    return 'Could not reach the server, so this may not have been done. Check your connection and try again; what you typed is still here.';
  }
  return 'The server did not answer as expected, so this may not have been done. Try again in a moment; what you typed is still here.';
}

/** The request did not get through: the browser is offline, or fetch rejected (always a TypeError). */
export function isConnectionFailure(error: unknown): boolean {
  return (typeof navigator !== 'undefined' && navigator.onLine === false) || error instanceof TypeError;
}

/**
 * useActionState for a form posting to an operator action, that keeps the form when the request fails on the way:
 * the failure becomes the form's `failed` state with the submitted values, instead of an exception that replaces
 * the page. redirect() and notFound() still navigate.
 */
export function useFormAction<R>(action: FormAction<R>) {
  const run = useCallback<FormAction<R>>(
    async (previous, formData) => {
      try {
        return await action(previous, formData);
      } catch (error) {
        unstable_rethrow(error);
        const values = Object.fromEntries([...formData.entries()].filter(([key, value]) => !key.startsWith('$') && typeof value === 'string')) as Record<string, string>;
        return { status: 'failed', message: requestFailureMessage(error), values };
      }
    },
    [action],
  );
  return useActionState<ActionState<R>, FormData>(run, { status: 'idle' });
}
