import { describe, expect, it } from 'vitest';

import { FIRST_PAGE, parseProjectListQuery, projectListHref } from '../src/lib/project-list-query';

describe('parseProjectListQuery', () => {
  it('reads the parameters of the page and the API, with defaults', () => {
    expect(parseProjectListQuery(new URLSearchParams(''), 'strict')).toEqual({ query: FIRST_PAGE });
    expect(parseProjectListQuery(new URLSearchParams('q=%20launch%20&sort=name&limit=20&cursor=abc'), 'strict')).toEqual({
      query: { q: 'launch', sort: 'name', limit: 20, cursor: 'abc' },
    });
    // An empty search is no search; the first of repeated parameters counts.
    expect(parseProjectListQuery({ q: '  ', sort: ['oldest', 'name'] }, 'strict')).toEqual({ query: { ...FIRST_PAGE, sort: 'oldest' } });
  });

  it('strict: the first bad parameter is an error that names it', () => {
    for (const [search, name] of [
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['sort=size', 'sort'],
      [`q=${'x'.repeat(201)}`, 'q'],
    ] as const) {
      const parsed = parseProjectListQuery(new URLSearchParams(search), 'strict');
      expect('error' in parsed && parsed.error.startsWith(`${name}:`), search).toBe(true);
    }
  });

  it('lenient: a bad parameter falls back to its default, the others stay', () => {
    expect(parseProjectListQuery({ sort: 'size', q: 'api', limit: '-3' }, 'lenient')).toEqual({ query: { ...FIRST_PAGE, q: 'api' } });
  });
});

describe('projectListHref', () => {
  it('writes only what differs from the first page, in a fixed order', () => {
    expect(projectListHref('/projects', FIRST_PAGE)).toBe('/projects');
    expect(projectListHref('/projects', { ...FIRST_PAGE, q: 'a&b', sort: 'name', cursor: 'c1', limit: 20 })).toBe('/projects?q=a%26b&sort=name&cursor=c1');
    expect(projectListHref('/api/projects', { ...FIRST_PAGE, limit: 20, cursor: 'c1' }, { withLimit: true })).toBe('/api/projects?limit=20&cursor=c1');
  });
});
