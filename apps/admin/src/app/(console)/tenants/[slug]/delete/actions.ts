'use server';

import { deleteTenant, deleteTenantInput, type DeleteResult } from '@/server/delete';
import type { ActionState } from '@repo/ui';

import { validatedAction } from '@/server/action';

export type DeleteState = ActionState<DeleteResult>;

// No revalidatePath: it would re-render this page, whose tenant is gone (a 404 instead of the result). Every
// page of the console is dynamic, so the tenants table is read afresh on the next visit anyway.
export const deleteTenantAction = validatedAction('deleteTenant', deleteTenantInput, deleteTenant);
