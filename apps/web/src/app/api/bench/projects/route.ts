import { NextResponse } from 'next/server';

import { apiError } from '@/server/api-error';
import { baselineEnabled, baselineRecentProjects } from '@/server/bench-baseline';
import { requireTenantSession } from '@/server/session';

/**
 * BENCHMARK ONLY: GET /api/projects without the tenancy layer (see src/server/bench-baseline.ts). Same session
 * check and the same JSON; the rows come from a plain pool with an explicit WHERE tenant_id. 404 unless
 * BENCH_BASELINE=1.
 */
export async function GET(): Promise<NextResponse> {
  if (!baselineEnabled()) return NextResponse.json({ error: 'Not found.' }, { status: 404 });
  try {
    const session = await requireTenantSession();
    const projects = await baselineRecentProjects(session.tenantId);
    return NextResponse.json({ projects }, { headers: { 'cache-control': 'private, no-store' } });
  } catch (error) {
    return apiError('GET /api/bench/projects', error);
  }
}
