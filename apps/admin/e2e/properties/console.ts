import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type APIResponse, type Page } from '@playwright/test';
import { actionResult, builtActions, postFormAction, type BuiltAction } from '@repo/e2e/next-build';

// How the properties talk to the console: its route handlers as its pages call them (same-origin JSON, a form, a file),
// and its server actions by their ids in the build, as React posts a form.

/** The build the servers of this run serve (e2e/run.ts's copy), else the app's own. */
export const BUILD_DIR = process.env.E2E_ADMIN_SERVER_DIR
  ? path.join(process.env.E2E_ADMIN_SERVER_DIR, '.next')
  : fileURLToPath(new URL('../../.next/standalone/apps/admin/.next/', import.meta.url));

export function action(name: string): BuiltAction {
  const found = builtActions(BUILD_DIR).find((a) => a.name.endsWith(name));
  if (!found) throw new Error(`no server action ${name} in the build`);
  return found;
}

/** A form's action, posted from the page `url`, with the form's fields. */
export function postAction(page: Page, baseURL: string, name: string, url: string, fields: Record<string, string>): Promise<APIResponse> {
  return postFormAction(page.request, url, baseURL, action(name).id, fields);
}

export interface ActionAnswer {
  status: 'ok' | 'error';
  kind?: string;
  message?: string;
  result?: unknown;
  fieldErrors?: Record<string, string[] | undefined>;
}

/** validatedAction's generic answer for anything it did not expect (src/server/action.ts). */
const UNEXPECTED = 'The action failed on the server; it has been logged.';

export async function answerOf(response: APIResponse, label: string): Promise<ActionAnswer> {
  const body = await response.text();
  expect(response.status(), `${label}: ${body.slice(0, 500)}`).toBe(200);
  const answer = actionResult<ActionAnswer>(body);
  expect(answer, `${label}: no action result in ${body.slice(0, 500)}`).toBeDefined();
  return answer!;
}

/** The action refused with a message of its own (a typed refusal, not the generic failure). */
export async function expectActionRefused(
  response: APIResponse,
  label: string,
  expected: { field?: string; kind?: string; message?: string } = {},
): Promise<ActionAnswer> {
  const answer = await answerOf(response, label);
  const seen = `${label}: answered ${JSON.stringify({ ...answer, values: undefined }).slice(0, 400)}`;
  if (expected.field) expect(answer.fieldErrors?.[expected.field], `${seen}: no message beside ${expected.field}`).toBeDefined();
  if (expected.kind) expect(answer.kind, seen).toBe(expected.kind);
  if (expected.message) expect(answer.message, seen).toContain(expected.message);
  expect(answer.status, `${label}: not refused (${JSON.stringify(answer).slice(0, 300)})`).toBe('error');
  expect(answer.message, `${label}: the generic failure, not a refusal`).not.toBe(UNEXPECTED);
  expect(answer.kind, `${label}: kind`).not.toBe('unknown');
  expect(typeof answer.message === 'string' && answer.message.length > 0, `${label}: no message`).toBe(true);
  return answer;
}

export function postJson(page: Page, baseURL: string, url: string, body: unknown): Promise<APIResponse> {
  return page.request.post(url, {
    maxRedirects: 0,
    headers: { origin: new URL(baseURL).origin, 'content-type': 'application/json' },
    data: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** A route's refusal: a 4xx with { error } in words. */
export async function expectRouteRefused(
  response: APIResponse,
  label: string,
  statuses: number[] = [400, 404, 409, 411, 413, 415, 422],
): Promise<{ error: string; fieldErrors?: Record<string, string> }> {
  const text = await response.text();
  expect(statuses, `${label}: answered ${response.status()}: ${text.slice(0, 500)}`).toContain(response.status());
  let body: { error?: unknown; fieldErrors?: Record<string, string> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new Error(`${label}: a ${response.status()} without a JSON body: ${text.slice(0, 300)}`);
  }
  expect(typeof body.error === 'string' && body.error.length > 0, `${label}: no error message in ${text.slice(0, 300)}`).toBe(true);
  return body as { error: string; fieldErrors?: Record<string, string> };
}

/** The events of an NDJSON answer (the long operations), the last one being how it ended. */
export async function events(response: APIResponse, label: string): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  expect(response.status(), `${label}: ${text.slice(0, 500)}`).toBe(200);
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
