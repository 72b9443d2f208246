import { NextResponse, type NextRequest } from 'next/server';

import { apiError } from '@/server/api-error';
import { baselineProjectsJson } from '@/server/bench-baseline';
import { projectsApiResponse } from '@/server/projects-api';
import { requireTenantSession } from '@/server/session';

/**
 * Laid over a copy of apps/web by the web benchmark: GET /api/projects without the tenancy layer (see
 * src/server/bench-baseline.ts). Same session check, the same statement and the same JSON; the rows come from a
 * plain pool with the tenant filter written out.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  try {
    const session = await requireTenantSession();
    return projectsApiResponse('GET /api/bench/projects', request.nextUrl.searchParams, (query) => baselineProjectsJson(session.tenantId, query));
  } catch (error) {
    return apiError('GET /api/bench/projects', error);
  }
}
