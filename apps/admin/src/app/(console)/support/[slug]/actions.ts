'use server';

import { revalidatePath } from 'next/cache';
import type { ActionState } from '@repo/ui';

import { validatedAction } from '@/server/action';
import { requestSupportAccess, requestSupportInput } from '@/server/support';

export type SupportRequestState = ActionState<undefined>;

export const requestSupportAction = validatedAction('requestSupport', requestSupportInput, async (input, operator) => {
  await requestSupportAccess(input, operator);
  revalidatePath(`/support/${input.slug}`);
  return undefined;
});
