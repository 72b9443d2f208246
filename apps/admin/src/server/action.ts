import 'server-only';

import { unstable_rethrow } from 'next/navigation';
import type { z } from 'zod';

import { invalidFields, textFields, UserFacingError, type ActionState } from '@repo/ui';

import { logger } from '@/lib/logger';

import { requireOperator, type Operator } from './session';

type Body<T, R> = (data: T, operator: Operator) => Promise<R>;

/**
 * The one way to write a server action, as in apps/web: load the operator (a request without one is sent to sign in
 * and never reaches the body), validate the form with zod, run the body, and map a refusal (a UserFacingError) to a
 * message for the form. Anything else is logged and shown as a generic failure, never as its message.
 */
export function validatedAction<S extends z.ZodType, R>(name: string, schema: S, body: Body<z.output<S>, R>) {
  return async (_previous: ActionState<R>, formData: FormData): Promise<ActionState<R>> => {
    const operator = await requireOperator();
    const values = textFields(formData);
    const parsed = schema.safeParse(values);
    if (!parsed.success) return invalidFields(parsed.error, values);
    try {
      const result = await body(parsed.data, operator);
      logger.debug({ event: 'action.ok', action: name, operator: operator.email }, `action ${name} done`);
      return { status: 'ok', result, at: Date.now() };
    } catch (error) {
      unstable_rethrow(error);
      if (error instanceof UserFacingError) {
        logger.warn({ event: 'action.refused', action: name, kind: error.kind, operator: operator.email }, `action ${name} refused: ${error.kind}`);
        return { status: 'error', kind: error.kind, message: error.message, fieldErrors: error.fieldErrors, values, at: Date.now() };
      }
      logger.error({ event: 'action.failed', action: name, err: error, operator: operator.email }, `action ${name} failed`);
      return { status: 'error', kind: 'unknown', message: 'The action failed on the server; it has been logged.', values, at: Date.now() };
    }
  };
}
