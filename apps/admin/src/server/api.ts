import 'server-only';

import type { z } from 'zod';

import { textFields } from '@repo/ui';

import { getOperator, type Operator } from './session';

// The route handlers: the JSON routes of the long operations (provisioning, migrate all, moving a tenant), which stream
// their progress, and the two that move files (the export download, the archive upload). Forms go through ./action.ts
// instead. Their field errors are one message per field, the shape the routes answer with.

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
    const refused = await admit(request, ['application/json'], 'Send the request body as application/json.');
    if (refused instanceof Response) return refused;
    const operator = refused;
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

/**
 * A POST route handler for a plain HTML form whose answer is not JSON (the export download: a server action cannot
 * answer with a file). Same checks as operatorPost; a form post carries the Origin header, and the session cookie is
 * not sent with a cross-site POST anyway.
 */
export function operatorFormPost<S extends z.ZodType>(schema: S, handler: (input: z.infer<S>, operator: Operator) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    const refused = await admit(request, ['application/x-www-form-urlencoded', 'multipart/form-data'], 'Send the request as a form.');
    if (refused instanceof Response) return refused;
    const parsed = schema.safeParse(textFields(await request.formData()));
    if (!parsed.success) return Response.json({ error: 'Invalid input.', fieldErrors: fieldErrorsOf(parsed.error) }, { status: 422 });
    return handler(parsed.data, refused);
  };
}

/**
 * A POST route handler whose body is a file, sent as it is (the archive upload): the handler reads request.body as a
 * stream. Same checks as operatorPost, for the given content types.
 */
export function operatorUpload(contentTypes: readonly string[], handler: (request: Request, operator: Operator) => Promise<Response>) {
  return async (request: Request): Promise<Response> => {
    const refused = await admit(request, contentTypes, `Send the file as ${contentTypes.join(' or ')}.`);
    if (refused instanceof Response) return refused;
    return handler(request, refused);
  };
}

/** Same origin, one of the content types, a signed-in operator: the operator, or the refusal to answer with. */
async function admit(request: Request, contentTypes: readonly string[], wrongType: string): Promise<Operator | Response> {
  if (!sameOrigin(request)) return Response.json({ error: 'Cross-origin requests are refused.' }, { status: 403 });
  const type = request.headers.get('content-type') ?? '';
  if (!contentTypes.some((t) => type.startsWith(t))) return Response.json({ error: wrongType }, { status: 415 });
  const operator = await getOperator();
  if (!operator) return Response.json({ error: 'Sign in as an operator first.' }, { status: 401 });
  return operator;
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
