'use server';

import type { ActionState } from '@repo/ui';

import { validatedAction } from '@/server/action';
import { restoreTenant, restoreTenantInput, type RestoreResult } from '@/server/restore';

export type RestoreState = ActionState<RestoreResult>;

export const restoreTenantAction = validatedAction('restoreTenant', restoreTenantInput, restoreTenant);
