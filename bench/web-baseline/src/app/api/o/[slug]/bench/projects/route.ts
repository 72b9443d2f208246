import type { NextRequest, NextResponse } from 'next/server';

import { baselineProjectsJson } from '@/server/bench-baseline';
import { withOrgRoute } from '@/server/org-route';
import { projectsApiResponse } from '@/server/projects-api';

/**
 * Laid over a copy of apps/web by the web benchmark: GET /api/o/<slug>/projects without the tenancy layer (see
 * src/server/bench-baseline.ts). Same session and membership check, the same statement and the same JSON; the rows
 * come from a plain pool with the tenant filter written out.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ slug: string }> }): Promise<NextResponse> {
  const { slug } = await params;
  return withOrgRoute('GET /api/o/[slug]/bench/projects', slug, (session) =>
    projectsApiResponse('GET /api/o/[slug]/bench/projects', slug, request.nextUrl.searchParams, (query) => baselineProjectsJson(session.tenantId, query)),
  );
}
