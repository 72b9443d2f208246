import 'server-only';

import { revalidatePath } from 'next/cache';
import { redirect, unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';

import { invalidFields, textFields, type ActionState } from '@repo/ui';
import { logger } from '@/lib/logger';

import { describeError } from './errors';
import type { TenantSession } from './session';
import { withTenantControlPlane, withTenantSession, type TenantTx } from './tenant-data';

/** What an action's body reports back; the wrapper revalidates and redirects after the transaction committed. */
export interface ActionOutcome {
  message?: string;
  /** Paths whose server-rendered data changed. */
  revalidate?: string[];
  /** Where to go next (e.g. the list after a delete). */
  redirectTo?: string;
}

type Body<T> = (data: T, tx: TenantTx, session: TenantSession) => Promise<ActionOutcome | void>;

interface Options<T> {
  /** `tenant` (default): the tenant's tables. `control`: tenant-scoped control-plane functions (members, roles). */
  scope?: 'tenant' | 'control';
  /** Runs before the transaction opens, e.g. a check in the other plane; throw a UserFacingError to refuse. */
  precheck?: (data: T) => Promise<void>;
}

/**
 * The one way to write a server action: validate the form with zod, then run the body inside the session's
 * tenant (withTenantSession), then map any refusal to a message for the form. Role rules are NOT checked here:
 * the database policies enforce them, so a forged post by a viewer is refused by PostgreSQL (SQLSTATE 42501).
 */
export function validatedAction<S extends z.ZodType>(name: string, schema: S, body: Body<z.output<S>>, options: Options<z.output<S>> = {}) {
  return async (_previous: ActionState, formData: FormData): Promise<ActionState> => {
    const values = textFields(formData);
    const parsed = schema.safeParse(values);
    if (!parsed.success) return invalidFields(parsed.error, values);
    let outcome: ActionOutcome | void;
    try {
      await options.precheck?.(parsed.data);
      const run = options.scope === 'control' ? withTenantControlPlane : withTenantSession;
      outcome = await run((tx, session) => body(parsed.data, tx, session));
    } catch (error) {
      // redirect() and notFound() (e.g. the session expired) are control flow, not failures.
      unstable_rethrow(error);
      const described = describeError(error);
      const log = { event: 'action.refused', action: name, kind: described.kind, code: described.code, ...described.log };
      if (described.expected) logger.warn(log, `action ${name} refused: ${described.kind}`);
      else logger.error(log, `action ${name} failed`);
      return { status: 'error', kind: described.kind, message: described.message, values, at: Date.now() };
    }
    logger.debug({ event: 'action.ok', action: name }, `action ${name} done`);
    for (const path of outcome?.revalidate ?? []) revalidatePath(path);
    if (outcome?.redirectTo) redirect(outcome.redirectTo);
    return { status: 'ok', message: outcome?.message, result: undefined, at: Date.now() };
  };
}
