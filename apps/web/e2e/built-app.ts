import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import type { APIRequestContext, APIResponse } from '@playwright/test';

// What the BUILT app has, read from the manifests the standalone server serves from: its routes (pages and route
// handlers) and its server actions, and how to post a server action as React's encodeReply does. The specs that must
// cover every route or action (cross-organisation, api, properties-*) enumerate from here, so a route or action added
// later is covered, or fails them, without anyone listing it.

const BUILD = new URL('../.next/standalone/apps/web/.next/', import.meta.url);
const ROUTES_MANIFEST = fileURLToPath(new URL('app-path-routes-manifest.json', BUILD));
const ACTIONS_MANIFEST = fileURLToPath(new URL('server/server-reference-manifest.json', BUILD));

export interface Route {
  route: string;
  kind: 'page' | 'route handler';
}

/** The app's routes (pages and route handlers), as the build listed them. */
export function builtRoutes(): Route[] {
  const manifest = JSON.parse(readFileSync(ROUTES_MANIFEST, 'utf8')) as Record<string, string>;
  return Object.entries(manifest).map(([file, route]) => ({ route, kind: file.endsWith('/route') ? 'route handler' : 'page' }));
}

/** Every /api/v1 route of the build, as Next names it (/api/v1/projects/[projectId]). */
export function builtApiRoutes(): string[] {
  return [...new Set(builtRoutes().map((r) => r.route))].filter((route) => route === '/api/v1' || route.startsWith('/api/v1/')).sort();
}

export interface Action {
  id: string;
  /** file#export, e.g. apps/web/src/app/sign-up/actions.ts#signUpAction */
  name: string;
  /** A page that posts it, as a route (/o/[slug]/members). */
  page: string;
}

/** 'app/o/[slug]/projects/(list)/page' -> '/o/[slug]/projects' */
const routeOfWorker = (worker: string) =>
  worker
    .replace(/^app/, '')
    .replace(/\/page$/, '')
    .replace(/\/\([^)]+\)/g, '');

/** The app's server actions, as the build listed them, each with a page it is posted from. */
export function builtActions(): Action[] {
  const manifest = JSON.parse(readFileSync(ACTIONS_MANIFEST, 'utf8')) as {
    node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, action]) => ({
    id,
    name: `${action.filename}#${action.exportedName}`,
    page: routeOfWorker(Object.keys(action.workers)[0]!),
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
 * A post of `action` to `path` as a form's `useActionState` sends it (React's encodeReply): the arguments as JSON in
 * part 0, the bound ones first (an organisation's slug: src/components/use-org-action.ts), then the previous state and
 * the form, whose fields are the parts named `_1_<field>` (React 19.3's form field prefix).
 */
export function postAction(
  request: APIRequestContext,
  baseURL: string,
  path: string,
  action: Pick<Action, 'id'>,
  bound: unknown[],
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<APIResponse> {
  // The root (part 0) comes last, as encodeReply appends it: the server decodes it the moment it arrives, and the
  // form's fields must be there by then.
  const multipart = new FormData();
  for (const [name, value] of Object.entries(fields)) multipart.append(`_1_${name}`, value);
  multipart.append('0', JSON.stringify([...bound.map(escaped), { status: 'idle' }, '$K1']));
  return request.post(path, {
    maxRedirects: 0,
    failOnStatusCode: false,
    headers: { 'next-action': action.id, accept: 'text/x-component', origin: new URL(baseURL).origin, ...headers },
    multipart,
  });
}
