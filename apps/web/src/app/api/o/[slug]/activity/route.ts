import { NextResponse, type NextRequest } from 'next/server';

import { canSeeActivity } from '@/lib/activity';
import { listActivity, recordActivityExport } from '@/server/queries/activity';
import { tenantStatement, withTenantSession } from '@/server/tenant-data';
import { withOrgRoute } from '@/server/org-route';

const ROUTE = 'GET /api/o/[slug]/activity';
const PAGE = 500;

/**
 * GET /api/o/<slug>/activity: the organisation's whole activity log as NDJSON (one entry per line, newest first), for
 * owners and admins (403 for other members; 401 signed out; 404 for an organisation that is not the user's). The export
 * is itself an entry of the log, written before the first line is read. Entries are read a page at a time, each page
 * its own statement, so a long log streams instead of filling memory.
 */
export async function GET(_request: NextRequest, { params }: { params: Promise<{ slug: string }> }): Promise<NextResponse> {
  const { slug } = await params;
  return withOrgRoute(ROUTE, slug, async (session) => {
    if (!canSeeActivity(session.role)) {
      return NextResponse.json(
        { error: 'Only owners and admins can export the activity log.' },
        { status: 403, headers: { 'cache-control': 'private, no-store' } },
      );
    }
    await withTenantSession(slug, (tx) => recordActivityExport(tx, 'ndjson'));
    const encoder = new TextEncoder();
    let cursor: string | undefined;
    let done = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (done) {
          controller.close();
          return;
        }
        const page = await listActivity(tenantStatement(slug), { cursor, limit: PAGE });
        const lines = page.items.map((entry) => `${JSON.stringify({ ...entry, createdAt: entry.createdAt.toISOString() })}\n`).join('');
        if (lines) controller.enqueue(encoder.encode(lines));
        cursor = page.older ?? undefined;
        done = page.older === null;
      },
    });
    const day = new Date().toISOString().slice(0, 10);
    return new NextResponse(body, {
      headers: {
        'content-type': 'application/x-ndjson; charset=utf-8',
        'content-disposition': `attachment; filename="activity-${slug}-${day}.ndjson"`,
        'cache-control': 'private, no-store',
      },
    });
  });
}
