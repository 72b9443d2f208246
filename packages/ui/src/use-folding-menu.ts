'use client';

import { usePathname } from 'next/navigation';
import { useCallback, useRef, useState } from 'react';

import { useDismiss } from './use-dismiss';

/**
 * A menu that folds away on a narrow screen (both apps' navigation): it closes on Escape, on a click outside `ref`, and
 * when a link in it changes the page, because it is open only for the path it was opened on (so no effect has to
 * close it).
 */
export function useFoldingMenu<E extends HTMLElement>() {
  const pathname = usePathname();
  const [openOn, setOpenOn] = useState<string | null>(null);
  const open = openOn === pathname;
  const ref = useRef<E>(null);
  const close = useCallback(() => setOpenOn(null), []);
  useDismiss(ref, open, close);
  const toggle = useCallback(() => setOpenOn(open ? null : pathname), [open, pathname]);
  return { open, ref, toggle };
}
