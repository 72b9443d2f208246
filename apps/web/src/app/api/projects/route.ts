import type { NextRequest, NextResponse } from 'next/server';

import { projectsApiResponse } from '@/server/projects-api';
import { listProjectsJson } from '@/server/queries/projects';
import { tenantStatement } from '@/server/tenant-data';

/**
 * GET /api/projects: the active tenant's projects as JSON, a page at a time (newest first, 50 by default; `limit`,
 * `q`, `sort` and `cursor` as documented in apps/web/README.md). Needs the session cookie (401 without).
 */
export async function GET(request: NextRequest): Promise<NextResponse> {
  // One statement: the single-round-trip form of the helper (queryAs), not a transaction.
  return projectsApiResponse('GET /api/projects', request.nextUrl.searchParams, (query) => listProjectsJson(tenantStatement, query));
}
