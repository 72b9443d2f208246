import { fileURLToPath } from 'node:url';

import type { APIRequestContext, APIResponse } from '@playwright/test';
import { builtActions as actionsOf, builtRoutes as routesOf, postFormAction, type BuiltAction, type BuiltRoute } from '@repo/e2e/next-build';

// What the BUILT web app has (@repo/e2e/next-build reads it from the manifests the standalone server serves from). The
// specs that must cover every route or action (cross-organisation, api, properties-*) enumerate from here, so a route
// or action added later is covered, or fails them, without anyone listing it.

const BUILD = fileURLToPath(new URL('../.next/standalone/apps/web/.next/', import.meta.url));

export type Route = BuiltRoute;
export type Action = BuiltAction;

export const builtRoutes = (): Route[] => routesOf(BUILD);
export const builtActions = (): Action[] => actionsOf(BUILD);

/** Every /api/v1 route of the build, as Next names it (/api/v1/projects/[projectId]). */
export function builtApiRoutes(): string[] {
  return [...new Set(builtRoutes().map((r) => r.route))].filter((route) => route === '/api/v1' || route.startsWith('/api/v1/')).sort();
}

/** A post of `action` to `path` as a form of /o/<slug> sends it: the bound arguments first (an organisation's slug). */
export function postAction(
  request: APIRequestContext,
  baseURL: string,
  path: string,
  action: Pick<Action, 'id'>,
  bound: unknown[],
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<APIResponse> {
  return postFormAction(request, path, baseURL, action.id, fields, { bound, headers });
}
