'use client';

import { useParams } from 'next/navigation';
import { useMemo } from 'react';

import type { ActionState } from '@repo/ui';

/** A server action of an organisation (src/server/action.ts, OrgAction): the slug first, then what a form passes. */
export type OrgAction = (slug: string, previous: ActionState, formData: FormData) => Promise<ActionState>;

/** The organisation of this tab: the `[slug]` of its address (/o/<slug>/...). */
export function useOrgSlug(): string {
  const { slug } = useParams<{ slug?: string }>();
  if (typeof slug !== 'string') throw new Error('useOrgSlug is for pages under /o/[slug]');
  return slug;
}

/**
 * `action` with this tab's organisation bound as its first argument, ready for useFormAction: a form posts to the
 * organisation its page shows, whatever another tab has open. The server checks the slug against the memberships.
 */
export function useOrgAction(action: OrgAction): (previous: ActionState, formData: FormData) => Promise<ActionState> {
  const slug = useOrgSlug();
  return useMemo(() => action.bind(null, slug), [action, slug]);
}
