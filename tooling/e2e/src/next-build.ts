import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { APIRequestContext, APIResponse } from '@playwright/test';

// What a Next.js build says it serves, read from the manifests its standalone server serves from, so that a spec can
// go over every route and every server action of the build instead of a list written by hand; and how to call a
// server action by its id, as React's client does (encodeReply). Both apps' e2e suites use it.

export interface BuiltRoute {
  /** '/api/tenants/[slug]' */
  route: string;
  kind: 'page' | 'route handler';
}

export interface BuiltAction {
  id: string;
  /** file#export, the file relative to the repository ('apps/web/src/app/sign-up/actions.ts#signUpAction') */
  name: string;
  /** A page that posts it, as a route ('/o/[slug]/members'). */
  page: string;
}

/** The app's routes (pages and route handlers); `buildDir` is the app's `.next` directory. */
export function builtRoutes(buildDir: string): BuiltRoute[] {
  const manifest = JSON.parse(readFileSync(path.join(buildDir, 'app-path-routes-manifest.json'), 'utf8')) as Record<string, string>;
  return Object.entries(manifest).map(([file, route]) => ({ route, kind: file.endsWith('/route') ? 'route handler' : 'page' }));
}

/** 'app/o/[slug]/projects/(list)/page' -> '/o/[slug]/projects' */
export const routeOfWorker = (worker: string) =>
  worker
    .replace(/^app/, '')
    .replace(/\/page$/, '')
    .replace(/\/\([^)]+\)/g, '') || '/';

/** The app's server actions, each with a page it is posted from; `buildDir` is the app's `.next` directory. */
export function builtActions(buildDir: string): BuiltAction[] {
  const manifest = JSON.parse(readFileSync(path.join(buildDir, 'server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, action]) => ({
    id,
    name: `${action.filename}#${action.exportedName}`,
    page: routeOfWorker(Object.keys(action.workers).find((worker) => worker.endsWith('/page')) ?? Object.keys(action.workers)[0]!),
  }));
}

/** A value as encodeReply writes it: a string that starts with `$` (React's reference marker) gets a second one. */
function escaped(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith('$') ? `$${value}` : value;
  if (Array.isArray(value)) return value.map(escaped);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escaped(v)]));
  return value;
}

/**
 * The body React sends for `useActionState(action)` (encodeReply): the action's arguments are its bound ones, the
 * previous state, then the form, sent as reference `$K1`, its fields as parts named `_1_<name>`, and the arguments
 * themselves as part `0`, last: the server decodes `0` as soon as it arrives, and a form field sent after it is not in
 * the form.
 */
export function actionForm(fields: Record<string, string>, options: { bound?: unknown[]; previous?: unknown } = {}): FormData {
  const multipart = new FormData();
  for (const [name, value] of Object.entries(fields)) multipart.append(`_1_${name}`, value);
  multipart.append('0', JSON.stringify([...(options.bound ?? []).map(escaped), options.previous ?? { status: 'idle' }, '$K1']));
  return multipart;
}

/** The headers of a server action's post; `origin` is the app's (Next.js refuses a server action from another origin). */
export function actionHeaders(actionId: string, origin: string): Record<string, string> {
  return { 'next-action': actionId, accept: 'text/x-component', origin: new URL(origin).origin };
}

/** Posts a form's action as a browser does (see actionForm); `url` is a page of the action, its params filled. */
export function postFormAction(
  request: APIRequestContext,
  url: string,
  origin: string,
  actionId: string,
  fields: Record<string, string>,
  options: { bound?: unknown[]; previous?: unknown; headers?: Record<string, string> } = {},
): Promise<APIResponse> {
  return request.post(url, {
    maxRedirects: 0,
    failOnStatusCode: false,
    headers: { ...actionHeaders(actionId, origin), ...options.headers },
    multipart: actionForm(fields, options),
  });
}

/**
 * The value an action returned, from its RSC answer (row `1` of the flight stream), or undefined when there is none.
 * Rows are `<id>:<json>\n`, or `<id>:T<hex byte length>,<text>` for a long string (which may hold newlines, and is
 * what a long value in the answer refers to as `$<id>`; those references are left as they are).
 */
export function actionResult<T = unknown>(body: string): T | undefined {
  const bytes = Buffer.from(body, 'utf8');
  let at = 0;
  while (at < bytes.length) {
    const colon = bytes.indexOf(0x3a, at);
    if (colon < 0) return undefined;
    const id = bytes.subarray(at, colon).toString('utf8');
    if (bytes[colon + 1] === 0x54 /* T */) {
      const comma = bytes.indexOf(0x2c, colon);
      at = comma + 1 + parseInt(bytes.subarray(colon + 2, comma).toString('utf8'), 16);
      continue;
    }
    const end = bytes.indexOf(0x0a, colon);
    const row = bytes.subarray(colon + 1, end < 0 ? bytes.length : end).toString('utf8');
    at = end < 0 ? bytes.length : end + 1;
    if (id !== '1') continue;
    try {
      return JSON.parse(row) as T;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
