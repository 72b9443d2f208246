import 'server-only';

import { NextResponse } from 'next/server';

import { apiError } from './api-error';
import { ORGANISATION_NOT_FOUND } from './errors';
import { getOrgSession, getSession, type TenantSession } from './session';

const PRIVATE = { 'cache-control': 'private, no-store' };

/**
 * The one way to write a route handler of an organisation (src/app/api/o/[slug]/...): `slug` is the route's param,
 * checked against the session's memberships before `fn` runs. Signed out: 401; another organisation's slug and one that
 * does not exist: the same JSON 404 (never 403). Inside `fn`, reach the data with the same slug (tenant-data.ts), which
 * checks it again; a failure becomes apiError's JSON.
 */
export async function withOrgRoute(route: string, slug: string, fn: (session: TenantSession) => Promise<NextResponse>): Promise<NextResponse> {
  try {
    const session = await getOrgSession(slug);
    if (!session) {
      if (!(await getSession())) return NextResponse.json({ error: 'Sign in first.' }, { status: 401, headers: PRIVATE });
      return NextResponse.json({ error: ORGANISATION_NOT_FOUND }, { status: 404, headers: PRIVATE });
    }
    return await fn(session);
  } catch (error) {
    return apiError(route, error);
  }
}
