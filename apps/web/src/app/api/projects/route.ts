import { NextResponse } from 'next/server';

import { apiError } from '@/server/api-error';
import { recentProjects } from '@/server/queries/projects';
import { tenantStatement } from '@/server/tenant-data';

/** GET /api/projects: the active tenant's 50 newest projects as JSON. Needs the session cookie (401 without). */
export async function GET(): Promise<NextResponse> {
  try {
    // One statement: the single-round-trip form of the helper (queryAs), not a transaction.
    const projects = await recentProjects(tenantStatement);
    return NextResponse.json({ projects }, { headers: { 'cache-control': 'private, no-store' } });
  } catch (error) {
    return apiError('GET /api/projects', error);
  }
}
