import type { NextRequest, NextResponse } from 'next/server';

import { withOrgRoute } from '@/server/org-route';
import { projectsApiResponse } from '@/server/projects-api';
import { listProjectsJson } from '@/server/queries/projects';
import { tenantStatement } from '@/server/tenant-data';

const ROUTE = 'GET /api/o/[slug]/projects';

/**
 * GET /api/o/<slug>/projects: the organisation's projects as JSON, a page at a time (newest first, 50 by default;
 * `limit`, `q`, `sort` and `cursor` as documented in apps/web/README.md). Needs the session cookie (401 without) and a
 * membership of the organisation (404 otherwise, the same as for an organisation that does not exist).
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ slug: string }> }): Promise<NextResponse> {
  const { slug } = await params;
  // One statement: the single-round-trip form of the helper (queryAs), not a transaction.
  return withOrgRoute(ROUTE, slug, () =>
    projectsApiResponse(ROUTE, slug, request.nextUrl.searchParams, (query) => listProjectsJson(tenantStatement(slug), query)),
  );
}
