'use client';

import { useEffect, useState } from 'react';

/**
 * False in the server render and until React has attached its handlers. The interactive forms mark
 * themselves `data-ready` with it: a click before that would be a plain HTML submit (the e2e tests wait for it).
 */
export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}
