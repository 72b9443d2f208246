import { z } from 'zod';

/** Why an action was refused; the form shows the message, a test or a log can branch on the kind. */
export type ErrorKind = 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'retry' | 'unavailable' | 'unknown';

export type FieldErrors = Record<string, string[] | undefined>;

/**
 * What every server action of both apps returns to its form (useActionState): `result` carries what an action
 * produced when the form shows it (the admin's deletion report). Never carries SQL or a stack.
 */
export type ActionState<R = undefined> =
  | { status: 'idle' }
  | { status: 'ok'; message?: string | undefined; result: R; at: number }
  | {
      status: 'error';
      kind: ErrorKind;
      message: string;
      fieldErrors?: FieldErrors | undefined;
      /** The submitted text fields, so the form can show them again. */
      values?: Record<string, string> | undefined;
      at: number;
    };

export const IDLE = { status: 'idle' } as const satisfies ActionState<never>;

export function fieldError(state: ActionState<unknown>, field: string): string | undefined {
  return state.status === 'error' ? state.fieldErrors?.[field]?.[0] : undefined;
}

export function submitted(state: ActionState<unknown>, field: string): string | undefined {
  return state.status === 'error' ? state.values?.[field] : undefined;
}

/** A form's text fields, to show them again after a refusal; Next's own `$ACTION_*` fields and files are left out. */
export function textFields(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('$ACTION') || typeof value !== 'string') continue;
    values[key] = value;
  }
  return values;
}

/** The state of a form whose fields failed validation. */
export function invalidFields(error: z.ZodError, values: Record<string, string>): ActionState<never> {
  return {
    status: 'error',
    kind: 'invalid',
    message: 'Please correct the highlighted fields.',
    fieldErrors: z.flattenError(error).fieldErrors as FieldErrors,
    values,
    at: Date.now(),
  };
}

/** A refusal an action raises itself, with a message written for the person who sent the form. */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** Set when the refusal is about particular fields: the form shows it beside them. */
    readonly fieldErrors?: FieldErrors,
  ) {
    super(message);
  }
}
