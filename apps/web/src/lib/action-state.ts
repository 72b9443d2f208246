import type { ErrorKind } from '@/server/errors';

/** What every server action returns to its form (useActionState). Never carries SQL or a stack. */
export type ActionState =
  | { status: 'idle' }
  | { status: 'ok'; message?: string | undefined; at: number }
  | {
      status: 'error';
      kind: ErrorKind;
      message: string;
      fieldErrors?: Record<string, string[] | undefined> | undefined;
      /** The submitted text fields, so the form can show them again. */
      values?: Record<string, string> | undefined;
      at: number;
    };

export const IDLE: ActionState = { status: 'idle' };

export function fieldError(state: ActionState, field: string): string | undefined {
  return state.status === 'error' ? state.fieldErrors?.[field]?.[0] : undefined;
}

export function submitted(state: ActionState, field: string): string | undefined {
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
