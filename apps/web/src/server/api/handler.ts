import 'server-only';

import { NextResponse, type NextRequest } from 'next/server';
import { unstable_rethrow } from 'next/navigation';
import { z } from 'zod';

import { logger } from '@/lib/logger';

import type { RateLimitState } from '../auth/api-keys';
import { describeError, type ErrorKind } from '../errors';
import { apiKeyAccess, ApiKeyRefusedError, ApiRateLimitedError, withApiKey, type ApiKeyAccess, type TenantTx } from '../tenant-data';
import type { Operation } from './operations';
import type { ApiErrorCode } from './schemas';

// The one way to write a JSON API route: the key (401), its rate limit (429), the request checked against the operation's
// schemas (400; a path id that cannot exist: 404), then the body in a transaction of the key's tenant (withApiKey, the
// same withTenant as every page), and any refusal as JSON with a clear code. Scope is not checked here: a read key runs
// as `viewer`, and the database's policies refuse its writes (42501 -> 403).

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface OperationInput<O extends Operation> {
  params: Out<O['params']>;
  query: Out<O['query']>;
  body: Out<O['body']>;
}

/** What an operation's body answers: the success status's JSON (nothing for 204). */
type Body<O extends Operation> = (input: OperationInput<O>, tx: TenantTx, access: ApiKeyAccess) => Promise<unknown>;

interface RouteContext {
  params: Promise<Record<string, string | string[] | undefined>>;
}

const NO_STORE = { 'cache-control': 'no-store' };

const BY_KIND: Record<ErrorKind, { status: number; code: ApiErrorCode }> = {
  forbidden: { status: 403, code: 'forbidden' },
  'not-found': { status: 404, code: 'not_found' },
  conflict: { status: 409, code: 'conflict' },
  invalid: { status: 400, code: 'invalid_request' },
  retry: { status: 503, code: 'unavailable' },
  unavailable: { status: 503, code: 'unavailable' },
  unknown: { status: 500, code: 'internal' },
};

/** A refusal the operation reports itself (a missing row): thrown inside the body, answered as JSON. */
export class ApiNotFoundError extends Error {
  override readonly name = 'ApiNotFoundError';
  constructor(noun: string) {
    super(`No such ${noun} in this organisation.`);
  }
}

/** A list cursor that is not one of the list's: 400. */
export class InvalidCursorRequestError extends Error {
  override readonly name = 'InvalidCursorRequestError';
}

class InvalidRequestError extends Error {
  override readonly name = 'InvalidRequestError';
  constructor(readonly issues: z.core.$ZodIssue[]) {
    super('The request is not valid: see issues.');
  }
}

/** RateLimit headers (IETF draft 6, as express-rate-limit sends them) on every answer to a counted request. */
function rateHeaders(rate: RateLimitState | undefined): Record<string, string> {
  if (!rate) return {};
  return {
    'ratelimit-policy': `${rate.limit};w=${rate.windowSeconds}`,
    'ratelimit-limit': String(rate.limit),
    'ratelimit-remaining': String(rate.remaining),
    'ratelimit-reset': String(rate.resetSeconds),
  };
}

function errorResponse(status: number, code: ApiErrorCode, message: string, extra: { headers?: Record<string, string>; issues?: z.core.$ZodIssue[] } = {}) {
  const issues = extra.issues?.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
    code: issue.code,
  }));
  return NextResponse.json({ error: { code, message, ...(issues ? { issues } : {}) } }, { status, headers: { ...NO_STORE, ...extra.headers } });
}

/** A lone UTF-16 surrogate: JSON's \\ud800 escape makes one, and PostgreSQL would store it as U+FFFD, not as sent. */
const LONE_SURROGATE = /\p{Cs}/u;

async function jsonBody(request: NextRequest): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === '') return undefined;
  let parsed: unknown;
  let notUnicode = false;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (LONE_SURROGATE.test(key) || (typeof value === 'string' && LONE_SURROGATE.test(value))) notUnicode = true;
      return value;
    });
  } catch {
    throw new InvalidRequestError([{ code: 'custom', path: [], message: 'The body is not JSON.', input: undefined } as z.core.$ZodIssue]);
  }
  if (notUnicode) {
    throw new InvalidRequestError([
      { code: 'custom', path: [], message: 'The body holds text that is not Unicode (a lone surrogate).', input: undefined } as z.core.$ZodIssue,
    ]);
  }
  return parsed;
}

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidRequestError(parsed.error.issues);
  return parsed.data;
}

/** The route handler of `operation`. */
export function apiRoute<O extends Operation>(operation: O, body: Body<O>) {
  const name = `${operation.method} ${operation.path}`;
  return async (request: NextRequest, context: RouteContext): Promise<NextResponse> => {
    let access: ApiKeyAccess | undefined;
    try {
      access = await apiKeyAccess(request.headers.get('authorization'));
      const params = operation.params?.safeParse(await context.params);
      // A path id that is not one names nothing: the same 404 as another organisation's id.
      if (params && !params.success) throw new ApiNotFoundError('item');
      const input = {
        params: params?.data,
        query: operation.query ? parse(operation.query, Object.fromEntries(request.nextUrl.searchParams)) : undefined,
        body: operation.body ? parse(operation.body, await jsonBody(request)) : undefined,
      } as OperationInput<O>;
      const granted = access;
      const result = await withApiKey(granted, (tx) => body(input, tx, granted));
      const headers = { ...NO_STORE, ...rateHeaders(access.rate) };
      if (operation.success.status === 204) return new NextResponse(null, { status: 204, headers });
      return NextResponse.json(result, { status: operation.success.status, headers });
    } catch (error) {
      return refusal(name, error, access?.rate);
    }
  };
}

function refusal(route: string, error: unknown, rate: RateLimitState | undefined): NextResponse {
  unstable_rethrow(error);
  const headers = rateHeaders(rate);
  if (error instanceof ApiKeyRefusedError) {
    logger.info({ event: 'api.unauthorized', route, reason: error.reason }, 'API request without a valid key');
    return errorResponse(401, 'unauthorized', error.message, { headers: { 'www-authenticate': 'Bearer realm="api"' } });
  }
  if (error instanceof ApiRateLimitedError) {
    logger.info({ event: 'api.rate-limited', route }, 'API key over its rate limit');
    return errorResponse(429, 'rate_limited', error.message, { headers: { ...rateHeaders(error.rate), 'retry-after': String(error.retryAfterSeconds) } });
  }
  if (error instanceof InvalidRequestError) return errorResponse(400, 'invalid_request', error.message, { headers, issues: error.issues });
  if (error instanceof InvalidCursorRequestError) return errorResponse(400, 'invalid_request', error.message, { headers });
  if (error instanceof ApiNotFoundError) return errorResponse(404, 'not_found', error.message, { headers });
  const described = describeError(error);
  const log = { event: 'api.error', route, kind: described.kind, code: described.code, ...described.log };
  if (described.expected) logger.warn(log, `${route} refused: ${described.kind}`);
  else logger.error(log, `${route} failed`);
  const { status, code } = BY_KIND[described.kind];
  const message =
    described.kind === 'forbidden' ? "This API key may not do that (a read key cannot write; a write key acts with its creator's role)." : described.message;
  return errorResponse(status, code, message, { headers });
}
