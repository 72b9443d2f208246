import { z } from 'zod';

// What a list of projects is asked for with: the projects page's address and GET /api/projects take the same
// parameters, parsed here (the page leniently, the API strictly). The cursor stays opaque text at this point; the
// server decodes it (src/server/queries/cursor.ts).

export const PROJECT_SORTS = { newest: 'Newest first', oldest: 'Oldest first', name: 'Name A–Z' } as const;
export type ProjectSort = keyof typeof PROJECT_SORTS;
const SORT_KEYS = Object.keys(PROJECT_SORTS) as [ProjectSort, ...ProjectSort[]];

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const fields = {
  q: z
    .string()
    .trim()
    .max(200, 'q: at most 200 characters')
    .transform((value) => (value === '' ? undefined : value)),
  sort: z.enum(SORT_KEYS, { error: `sort: one of ${SORT_KEYS.join(', ')}` }),
  cursor: z.string().min(1).max(1000, 'cursor: not a cursor of this list'),
  limit: z.coerce
    .number({ error: 'limit: a whole number' })
    .int('limit: a whole number')
    .min(1, 'limit: at least 1')
    .max(MAX_PAGE_SIZE, `limit: at most ${MAX_PAGE_SIZE}`),
};

export interface ProjectListQuery {
  /** Part of the name to look for (any case, anywhere in the name). */
  q: string | undefined;
  sort: ProjectSort;
  cursor: string | undefined;
  limit: number;
}

export const FIRST_PAGE: ProjectListQuery = { q: undefined, sort: 'newest', cursor: undefined, limit: DEFAULT_PAGE_SIZE };

type Params = URLSearchParams | Record<string, string | string[] | undefined>;

function first(params: Params, name: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(name) ?? undefined;
  const value = params[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The query in `params`. `strict` (the API): the first invalid parameter is an error to answer 400 with. Otherwise
 * (the page, whose address a person may have edited) an invalid parameter is ignored: the list falls back to its
 * default for it.
 */
export function parseProjectListQuery(params: Params, mode: 'strict'): { query: ProjectListQuery } | { error: string };
export function parseProjectListQuery(params: Params, mode: 'lenient'): { query: ProjectListQuery };
export function parseProjectListQuery(params: Params, mode: 'strict' | 'lenient'): { query: ProjectListQuery } | { error: string } {
  const query: ProjectListQuery = { ...FIRST_PAGE };
  for (const name of ['q', 'sort', 'cursor', 'limit'] as const) {
    const raw = first(params, name);
    if (raw === undefined) continue;
    const parsed = fields[name].safeParse(raw);
    if (parsed.success) Object.assign(query, { [name]: parsed.data });
    else if (mode === 'strict') return { error: parsed.error.issues[0]?.message ?? `${name}: not valid` };
  }
  return { query };
}

/** The address of a list: the parameters that differ from the first page's, in a fixed order. */
export function projectListHref(path: string, query: Partial<ProjectListQuery>, options: { withLimit?: boolean } = {}): string {
  const params = new URLSearchParams();
  if (query.q) params.set('q', query.q);
  if (query.sort && query.sort !== FIRST_PAGE.sort) params.set('sort', query.sort);
  if (options.withLimit && query.limit !== undefined && query.limit !== FIRST_PAGE.limit) params.set('limit', String(query.limit));
  if (query.cursor) params.set('cursor', query.cursor);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}
