import 'server-only';

import { NextResponse } from 'next/server';

import { orgApiPath } from '@/lib/org-path';
import { parseProjectListQuery, projectListHref, type ProjectListQuery } from '@/lib/project-list-query';

import { apiError } from './api-error';
import { InvalidCursorError, type ProjectPage } from './queries/project-page';
import type { ProjectJson } from './queries/projects';

// GET /api/o/<slug>/projects, shared with the web benchmark's baseline (bench/web-baseline), which must answer the same
// JSON byte for byte: both build their links to /api/o/<slug>/projects, the resource the baseline stands in for.
const PRIVATE = { 'cache-control': 'private, no-store' };

/**
 * Parses the list parameters (400 with a message for a bad one), reads one page with `read` and answers
 * `{ projects, total, next, nextCursor, prev, prevCursor }` with the links also in a Link header (RFC 8288).
 */
export async function projectsApiResponse(
  route: string,
  slug: string,
  params: URLSearchParams,
  read: (query: ProjectListQuery) => Promise<ProjectPage<ProjectJson>>,
): Promise<NextResponse> {
  const parsed = parseProjectListQuery(params, 'strict');
  if ('error' in parsed) return NextResponse.json({ error: parsed.error }, { status: 400, headers: PRIVATE });
  try {
    const page = await read(parsed.query);
    const link = (cursor: string | null) => (cursor ? projectListHref(orgApiPath(slug, '/projects'), { ...parsed.query, cursor }, { withLimit: true }) : null);
    const next = link(page.next);
    const prev = link(page.prev);
    const links = [next && `<${next}>; rel="next"`, prev && `<${prev}>; rel="prev"`].filter(Boolean);
    return NextResponse.json(
      { projects: page.items, total: page.total, next, nextCursor: page.next, prev, prevCursor: page.prev },
      { headers: links.length ? { ...PRIVATE, link: links.join(', ') } : PRIVATE },
    );
  } catch (error) {
    if (error instanceof InvalidCursorError) return NextResponse.json({ error: error.message }, { status: 400, headers: PRIVATE });
    return apiError(route, error);
  }
}
