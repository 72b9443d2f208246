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
