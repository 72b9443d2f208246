import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WEB_BUILD } from './app';

/** The server actions the soak posts, by file and export, as the build's manifest names them. */
const WANTED = {
  createTask: 'apps/web/src/app/o/[slug]/projects/[projectId]/actions.ts#createTaskAction',
  addComment: 'apps/web/src/app/o/[slug]/projects/[projectId]/tasks/[taskId]/actions.ts#addCommentAction',
} as const;

export type ActionIds = Record<keyof typeof WANTED, string>;

/** The ids the built app gave those actions (server-reference-manifest.json, as e2e/cross-organisation.spec.ts reads it). */
export function actionIds(): ActionIds {
  const file = path.join(WEB_BUILD, 'standalone/apps/web/.next/server/server-reference-manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as { node: Record<string, { filename: string; exportedName: string }> };
  const byName = new Map(Object.entries(manifest.node).map(([id, action]) => [`${action.filename}#${action.exportedName}`, id]));
  const ids = {} as ActionIds;
  for (const [key, name] of Object.entries(WANTED) as [keyof typeof WANTED, string][]) {
    const id = byName.get(name);
    if (!id) throw new Error(`the build has no server action ${name} (${file}): the soak's writes need it`);
    ids[key] = id;
  }
  return ids;
}

/**
 * The body a form of /o/<slug> posts for an action: React's encodeReply of useOrgAction's call (the bound slug, the
 * previous state, then the form's FormData, whose fields it sends as `_<part>_<name>` for the reference `$K<part>`,
 * before the root `0`).
 */
export function actionForm(slug: string, fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(`_1_${name}`, value);
  // The root last, as React writes it: the server decodes the parts as they stream in, and resolves $K1 from the
  // fields it has seen by the time the root arrives.
  form.append('0', JSON.stringify([slug, { status: 'idle' }, '$K1']));
  return form;
}
