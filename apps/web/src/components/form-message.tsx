import type { ActionState } from '@repo/ui';

/** The form-level message of an action's result: an error banner, or a short confirmation. */
export function FormMessage({ state, success = true }: { state: ActionState; success?: boolean }) {
  if (state.status === 'error') {
    return (
      <p className="alert" role="alert" data-error-kind={state.kind}>
        {state.message}
      </p>
    );
  }
  if (success && state.status === 'ok' && state.message) {
    return (
      <p className="alert alert-success" role="status">
        {state.message}
      </p>
    );
  }
  return null;
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p className="field-error" id={id}>
      {message}
    </p>
  );
}
