import 'server-only';

import type { z } from 'zod';

import { getOperator, type Operator } from './session';

// The JSON routes of the long operations (provisioning, migrate all), which stream their progress: forms go through
// ./action.ts instead. Their field errors are one message per field, the shape the routes answer with.

export type FieldErrors = Partial<Record<string, string>>;

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    errors[field] ??= issue.message;
  }
  return errors;
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
