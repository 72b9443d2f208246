import path from 'node:path';
import { actionForm as formOf, builtActions } from '@repo/e2e/next-build';
import { WEB_BUILD } from './app';

/** The server actions the soak posts, by file and export, as the build's manifest names them. */
const WANTED = {
  createTask: 'apps/web/src/app/o/[slug]/projects/[projectId]/actions.ts#createTaskAction',
  addComment: 'apps/web/src/app/o/[slug]/projects/[projectId]/tasks/[taskId]/actions.ts#addCommentAction',
} as const;

export type ActionIds = Record<keyof typeof WANTED, string>;

/** The ids the built app gave those actions. */
export function actionIds(): ActionIds {
  const build = path.join(WEB_BUILD, 'standalone/apps/web/.next');
  const byName = new Map(builtActions(build).map((action) => [action.name, action.id]));
  const ids = {} as ActionIds;
  for (const [key, name] of Object.entries(WANTED) as [keyof typeof WANTED, string][]) {
    const id = byName.get(name);
    if (!id) throw new Error(`the build (${build}) has no server action ${name}: the soak's writes need it`);
    ids[key] = id;
  }
  return ids;
}

/** The body a form of /o/<slug> posts for an action (useOrgAction binds the slug first). */
export function actionForm(slug: string, fields: Record<string, string>): FormData {
  return formOf(fields, { bound: [slug] });
}
