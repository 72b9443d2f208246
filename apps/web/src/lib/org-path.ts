// Every tenant page lives under /o/<slug> and every tenant route handler under /api/o/<slug> (src/app/o/[slug],
// src/app/api/o/[slug]); these build their addresses. `rest` is a path inside the organisation ('/projects/1').

export function orgPath(slug: string, rest = ''): string {
  return `/o/${encodeURIComponent(slug)}${rest}`;
}

export function orgApiPath(slug: string, rest = ''): string {
  return `/api/o/${encodeURIComponent(slug)}${rest}`;
}
