'use client';

import { useSyncExternalStore } from 'react';

const subscribe = () => () => {};

/**
 * False in the server render and until React has hydrated the page, true from then on. The interactive forms mark
 * themselves `data-ready` with it: a click before that would be a plain HTML submit (the e2e tests wait for it).
 * React renders with the server snapshot while hydrating and with the client one right after.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
