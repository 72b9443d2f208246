import { NextResponse, type NextRequest } from 'next/server';

import { apiError } from '@/server/api-error';
import { baselineEnabled, baselineProjectsJson } from '@/server/bench-baseline';
import { projectsApiResponse } from '@/server/projects-api';
import { requireTenantSession } from '@/server/session';

/**
 * BENCHMARK ONLY: GET /api/projects without the tenancy layer (see src/server/bench-baseline.ts). Same session
 * check, the same statement and the same JSON; the rows come from a plain pool with an explicit WHERE tenant_id.
 * 404 unless BENCH_BASELINE=1.
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  if (!baselineEnabled()) return NextResponse.json({ error: 'Not found.' }, { status: 404 });
  try {
    const session = await requireTenantSession();
    return projectsApiResponse('GET /api/bench/projects', request.nextUrl.searchParams, (query) => baselineProjectsJson(session.tenantId, query));
  } catch (error) {
    return apiError('GET /api/bench/projects', error);
  }
}
