import 'server-only';

import type { z } from 'zod';

import { getOperator, requireOperator, type Operator } from './session';

// Every mutation of this app goes through one of these two wrappers: they load the operator (a request
// without one never reaches the handler) and validate the input with a zod schema before anything runs.

export type FieldErrors = Partial<Record<string, string>>;

export type ActionState<R> =
  | { status: 'idle' }
  | { status: 'invalid'; fieldErrors: FieldErrors; values: Record<string, string> }
  | { status: 'failed'; message: string; values: Record<string, string> }
  | { status: 'ok'; result: R };

export type ActionOutcome<R> = { ok: true; result: R } | { ok: false; fieldErrors?: FieldErrors; message?: string };

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
}

/** A server action for useActionState: FormData in, validated, run for the signed-in operator. */
export function operatorAction<S extends z.ZodType, R>(schema: S, handler: (input: z.infer<S>, operator: Operator) => Promise<ActionOutcome<R>>) {
  return async (_previous: ActionState<R>, formData: FormData): Promise<ActionState<R>> => {
    const operator = await requireOperator();
    const values = Object.fromEntries([...formData.entries()].filter(([key, value]) => !key.startsWith('$') && typeof value === 'string')) as Record<string, string>;
    const parsed = schema.safeParse(values);
    if (!parsed.success) return { status: 'invalid', fieldErrors: fieldErrorsOf(parsed.error), values };
    const outcome = await handler(parsed.data, operator);
    if (outcome.ok) return { status: 'ok', result: outcome.result };
    if (outcome.fieldErrors) return { status: 'invalid', fieldErrors: outcome.fieldErrors, values };
    return { status: 'failed', message: outcome.message ?? 'The action failed.', values };
  };
}

/**
 * A POST route handler taking JSON (the long operations, which stream their progress): same-origin only,
 * for the signed-in operator, with the body validated. Server actions get Next's own origin check; route
 * handlers do not, so it is done here: a cross-site page cannot send JSON without a preflight, and a
 * same-site form post has no JSON content type.
 */
export function operatorPost<S extends z.ZodType>(schema: S, handler: (input: z.infer<S>, operator: Operator, request: Request) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    if (!sameOrigin(request)) return Response.json({ error: 'Cross-origin requests are refused.' }, { status: 403 });
    if (!request.headers.get('content-type')?.startsWith('application/json')) {
      return Response.json({ error: 'Send the request body as application/json.' }, { status: 415 });
    }
    const operator = await getOperator();
    if (!operator) return Response.json({ error: 'Sign in as an operator first.' }, { status: 401 });
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return Response.json({ error: 'The request body is not valid JSON.' }, { status: 400 });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return Response.json({ error: 'Invalid input.', fieldErrors: fieldErrorsOf(parsed.error) }, { status: 422 });
    return handler(parsed.data, operator, request);
  };
}

function sameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  if (!origin || !host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
