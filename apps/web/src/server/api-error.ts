import 'server-only';

import { NextResponse } from 'next/server';
import { unstable_rethrow } from 'next/navigation';

import { logger } from '@/lib/logger';

import { describeError, type ErrorKind } from './errors';

const STATUS: Record<ErrorKind, number> = {
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  invalid: 400,
  retry: 503,
  unavailable: 503,
  unknown: 500,
};

/** A route handler's failure as JSON with a safe message; the cause goes to the log. */
export function apiError(route: string, error: unknown): NextResponse {
  unstable_rethrow(error);
  const described = describeError(error);
  const log = { event: 'api.error', route, kind: described.kind, code: described.code, ...described.log };
  if (described.expected) logger.warn(log, `${route} refused: ${described.kind}`);
  else logger.error(log, `${route} failed`);
  return NextResponse.json({ error: described.message }, { status: STATUS[described.kind] });
}
