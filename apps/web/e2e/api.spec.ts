import { Validator } from '@seriousme/openapi-schema-validator';
import { expect, test, type APIRequestContext } from '@playwright/test';

import { arrangeKey, bearer, builtApiRoutes, fill, openApiPath, type TestKey } from './api-keys-support';
import { SHORT_TIMERS, shortServerUrl } from './short-server';
import { adminQuery, signIn, skipWithoutChromium, tenantId } from './support';

skipWithoutChromium(test);

// The JSON API (/api/v1), called as a program would: Playwright's request context against the built server, with API
// keys of the seeded organisations. Every generated check reads the routes of the BUILD (Next's route manifest) or the
// OpenAPI document, which is itself checked against them: a route added later is covered without anyone adding it here.

type Method = 'get' | 'post' | 'patch' | 'delete';
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Partial<Record<Method, { operationId: string }>>>;
}
interface ApiOperation {
  id: string;
  method: Method;
  path: string;
}

const WRITES: Method[] = ['post', 'patch', 'delete'];

/** A valid body for each operation that takes one: a new write operation fails here until it has one. */
const SAMPLE_BODIES: Record<string, unknown> = {
  createProject: { name: 'Written through the API' },
  updateProject: { name: 'Renamed through the API' },
  createTask: { title: 'Task through the API' },
  updateTask: { title: 'Retitled through the API' },
};
const TAKES_BODY = (op: ApiOperation) => op.method === 'post' || op.method === 'patch';

async function openApi(request: APIRequestContext): Promise<OpenApiDocument> {
  const response = await request.get('/api/v1/openapi.json');
  expect(response.status()).toBe(200);
  return (await response.json()) as OpenApiDocument;
}

function operationsOf(document: OpenApiDocument): ApiOperation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    (Object.entries(item) as [Method, { operationId: string }][]).map(([method, operation]) => ({ id: operation.operationId, method, path })),
  );
}

async function call(request: APIRequestContext, op: ApiOperation, key: string | undefined, ids: Record<string, string>) {
  const headers = key ? bearer(key) : {};
  const options = { headers, ...(TAKES_BODY(op) ? { data: SAMPLE_BODIES[op.id] } : {}), failOnStatusCode: false };
  return request.fetch(fill(op.path, ids), { method: op.method.toUpperCase(), ...options });
}

/** One project and one of its tasks of `tenant`, straight from the database. */
async function projectAndTask(tenant: string): Promise<{ projectId: string; taskId: string; name: string; title: string }> {
  const [row] = await adminQuery<{ project_id: string; task_id: string; name: string; title: string }>(
    `SELECT p.id AS project_id, t.id AS task_id, p.name, t.title FROM public.projects p JOIN public.tasks t ON t.tenant_id = p.tenant_id AND t.project_id = p.id
      WHERE p.tenant_id = $1 ORDER BY p.created_at, t.created_at LIMIT 1`,
    [await tenantId(tenant)],
  );
  if (!row) throw new Error(`${tenant} has no project with a task`);
  return { projectId: row.project_id, taskId: row.task_id, name: row.name, title: row.title };
}

/**
 * What a refused write could have changed in `tenant`: the rows it has now, as they are (other specs running alongside
 * add rows of their own, so the rows are named by id), and any row carrying one of the sample bodies' names, which only
 * a write that got through would have made. Call it before and after: the two must be equal.
 */
async function snapshotter(tenant: string): Promise<() => Promise<string>> {
  const id = await tenantId(tenant);
  const [ids] = await adminQuery<{ projects: string[]; tasks: string[] }>(
    'SELECT ARRAY(SELECT id FROM public.projects WHERE tenant_id = $1) AS projects, ARRAY(SELECT id FROM public.tasks WHERE tenant_id = $1) AS tasks',
    [id],
  );
  const samples = Object.values(SAMPLE_BODIES).flatMap((body) => Object.values(body as Record<string, string>));
  return async () =>
    JSON.stringify(
      await adminQuery(
        `SELECT (SELECT json_agg(p ORDER BY p.id) FROM public.projects p WHERE p.tenant_id = $1 AND p.id = ANY($2::uuid[])) AS projects,
                (SELECT json_agg(t ORDER BY t.id) FROM public.tasks t WHERE t.tenant_id = $1 AND t.id = ANY($3::uuid[])) AS tasks,
                (SELECT count(*) FROM public.projects p WHERE p.name = ANY($4)) + (SELECT count(*) FROM public.tasks t WHERE t.title = ANY($4)) AS written`,
        [id, ids!.projects, ids!.tasks, samples],
      ),
    );
}

test('the OpenAPI document is valid OpenAPI 3.1 and describes every /api/v1 route of the build with each of its methods', async ({ request }) => {
  const document = await openApi(request);
  expect(document.openapi).toBe('3.1.0');
  const validator = new Validator();
  const result = await validator.validate(document as unknown as Record<string, unknown>);
  expect(result.errors ?? []).toEqual([]);
  expect(result.valid).toBe(true);
  expect(validator.version).toBe('3.1');

  const routes = builtApiRoutes().filter((route) => route !== '/api/v1/openapi.json');
  expect(routes.length).toBeGreaterThanOrEqual(4);
  const described = new Map(Object.entries(document.paths).map(([path, item]) => [path, Object.keys(item).sort()]));
  for (const route of routes) {
    // Next answers OPTIONS itself with the methods the route file exports.
    const options = await request.fetch(route.replace(/\[[^\]]+\]/g, '00000000-0000-4000-8000-000000000000'), { method: 'OPTIONS' });
    const methods = (options.headers().allow ?? '')
      .split(',')
      .map((method) => method.trim().toLowerCase())
      .filter((method) => !['options', 'head'].includes(method))
      .sort();
    expect(methods.length, `${route} exports no method`).toBeGreaterThan(0);
    expect(described.get(openApiPath(route)), `${route} in the OpenAPI document`).toEqual(methods);
  }
  expect([...described.keys()].sort()).toEqual(routes.map(openApiPath).sort());
});

test('no key, a garbage key, a made-up key or a session cookie: 401 on every operation, and nothing written', async ({ page, request }) => {
  const operations = operationsOf(await openApi(request));
  const ids = await projectAndTask('acme');
  const snapshot = await snapshotter('acme');
  const before = await snapshot();
  const madeUp = `tk_AAAAAAAA_${'A'.repeat(43)}`;
  for (const op of operations) {
    for (const key of [undefined, 'garbage', madeUp]) {
      const response = await call(request, op, key, ids);
      expect(response.status(), `${op.id} with ${key ?? 'no key'}`).toBe(401);
      expect(response.headers()['www-authenticate']).toMatch(/^Bearer/);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('unauthorized');
      expect(JSON.stringify(body)).not.toContain(ids.name);
    }
  }
  // A signed-in browser's cookie is no API key.
  await signIn(page, 'alice@acme.test');
  const withCookie = await page.request.get('/api/v1/projects', { failOnStatusCode: false });
  expect(withCookie.status()).toBe(401);
  expect(await snapshot()).toBe(before);
});

test('a write key works through the whole API: projects and tasks, pages, changes, deletes, and 400 with the issues', async ({ request }) => {
  const { key } = await arrangeKey('acme', 'alice@acme.test', 'write');
  const auth = bearer(key);
  const created = await request.post('/api/v1/projects', { headers: auth, data: { name: 'API project', description: 'from the e2e suite' } });
  expect(created.status()).toBe(201);
  const project = (await created.json()) as { id: string; name: string; description: string; createdBy: string };
  expect(project).toMatchObject({ name: 'API project', description: 'from the e2e suite' });
  const [alice] = await adminQuery<{ id: string }>("SELECT id FROM public.users WHERE email = 'alice@acme.test'");
  expect(project.createdBy).toBe(alice!.id);
  const [stored] = await adminQuery<{ tenant_id: string }>('SELECT tenant_id FROM public.projects WHERE id = $1', [project.id]);
  expect(stored!.tenant_id).toBe(await tenantId('acme'));

  // Pages: limit 2, then the next cursor, never the same project twice.
  const first = (await (await request.get('/api/v1/projects?limit=2', { headers: auth })).json()) as {
    data: { id: string }[];
    total: number;
    nextCursor: string;
  };
  expect(first.data).toHaveLength(2);
  expect(first.total).toBeGreaterThan(2);
  const second = (await (await request.get(`/api/v1/projects?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`, { headers: auth })).json()) as {
    data: { id: string }[];
  };
  expect(second.data.map((p) => p.id)).not.toContain(first.data[0]!.id);

  const patched = await request.patch(`/api/v1/projects/${project.id}`, { headers: auth, data: { description: null } });
  expect(patched.status()).toBe(200);
  expect(await patched.json()).toMatchObject({ id: project.id, name: 'API project', description: null });

  for (const title of ['one', 'two', 'three']) {
    const response = await request.post(`/api/v1/projects/${project.id}/tasks`, { headers: auth, data: { title, dueDate: '2027-03-01' } });
    expect(response.status()).toBe(201);
  }
  const tasks = (await (await request.get(`/api/v1/projects/${project.id}/tasks?limit=2`, { headers: auth })).json()) as {
    data: { id: string; title: string; status: string; dueDate: string }[];
    nextCursor: string;
  };
  expect(tasks.data.map((t) => t.title)).toEqual(['one', 'two']);
  expect(tasks.data[0]).toMatchObject({ status: 'todo', dueDate: '2027-03-01' });
  const rest = (await (await request.get(`/api/v1/projects/${project.id}/tasks?limit=2&cursor=${tasks.nextCursor}`, { headers: auth })).json()) as {
    data: { title: string }[];
    nextCursor: string | null;
  };
  expect(rest).toEqual({ data: [expect.objectContaining({ title: 'three' })], nextCursor: null });

  const taskId = tasks.data[0]!.id;
  const done = await request.patch(`/api/v1/projects/${project.id}/tasks/${taskId}`, { headers: auth, data: { status: 'done' } });
  expect(await done.json()).toMatchObject({ id: taskId, status: 'done', title: 'one' });
  expect((await request.delete(`/api/v1/projects/${project.id}/tasks/${taskId}`, { headers: auth })).status()).toBe(204);
  expect((await request.get(`/api/v1/projects/${project.id}/tasks/${taskId}`, { headers: auth, failOnStatusCode: false })).status()).toBe(404);

  // Bad input: 400 with zod's issues, and nothing written.
  const invalid = await request.post(`/api/v1/projects/${project.id}/tasks`, {
    headers: auth,
    data: { title: '', status: 'finished', dueDate: '2027-02-30', extra: 1 },
    failOnStatusCode: false,
  });
  expect(invalid.status()).toBe(400);
  const problem = (await invalid.json()) as { error: { code: string; issues: { path: string[] }[] } };
  expect(problem.error.code).toBe('invalid_request');
  expect(problem.error.issues.map((issue) => issue.path.join('.')).sort()).toEqual(expect.arrayContaining(['dueDate', 'status', 'title']));
  const notJson = await request.post('/api/v1/projects', {
    headers: { ...auth, 'content-type': 'application/json' },
    data: '{"name":',
    failOnStatusCode: false,
  });
  expect(notJson.status()).toBe(400);
  const badPage = await request.get('/api/v1/projects?limit=1000', { headers: auth, failOnStatusCode: false });
  expect(badPage.status()).toBe(400);
  const [{ n }] = (await adminQuery<{ n: number }>('SELECT count(*)::int AS n FROM public.tasks WHERE project_id = $1', [project.id])) as [{ n: number }];
  expect(n).toBe(2);

  expect((await request.delete(`/api/v1/projects/${project.id}`, { headers: auth })).status()).toBe(204);
  expect(await adminQuery('SELECT 1 FROM public.projects WHERE id = $1', [project.id])).toEqual([]);
});

test('a read key reads, and every write it tries is refused by the database with 403: nothing written', async ({ request }) => {
  const { key } = await arrangeKey('acme', 'alice@acme.test', 'read');
  const operations = operationsOf(await openApi(request));
  const ids = await projectAndTask('acme');
  const read = await request.get(`/api/v1/projects/${ids.projectId}`, { headers: bearer(key) });
  expect(await read.json()).toMatchObject({ id: ids.projectId, name: ids.name });
  const snapshot = await snapshotter('acme');
  const before = await snapshot();
  const writes = operations.filter((op) => WRITES.includes(op.method));
  expect(writes.length).toBeGreaterThanOrEqual(6);
  for (const op of writes) {
    const response = await call(request, op, key, ids);
    expect(response.status(), op.id).toBe(403);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  }
  expect(await snapshot()).toBe(before);
});

test("a key of another organisation gets 404 and no data for every one of this organisation's ids, and changes nothing", async ({ request }) => {
  // Gina is globex's admin: a write key, the strongest a key can be.
  const other: TestKey = await arrangeKey('globex', 'gina@globex.test', 'write');
  const operations = operationsOf(await openApi(request));
  const acme = await projectAndTask('acme');
  const snapshot = await snapshotter('acme');
  const before = await snapshot();
  const withIds = operations.filter((op) => op.path.includes('{'));
  expect(withIds.length).toBeGreaterThanOrEqual(8);
  for (const op of withIds) {
    const response = await call(request, op, other.key, acme);
    expect(response.status(), op.id).toBe(404);
    const text = await response.text();
    for (const secret of [acme.name, acme.title]) expect(text, op.id).not.toContain(secret);
  }
  // The lists name only globex's projects.
  const list = (await (await request.get('/api/v1/projects?limit=100', { headers: bearer(other.key) })).json()) as { data: { id: string }[] };
  const acmeIds = (await adminQuery<{ id: string }>('SELECT id FROM public.projects WHERE tenant_id = $1', [await tenantId('acme')])).map((r) => r.id);
  expect(list.data.length).toBeGreaterThan(0);
  expect(list.data.filter((p) => acmeIds.includes(p.id))).toEqual([]);
  expect(await snapshot()).toBe(before);
});

test('a key over its rate limit gets 429 with Retry-After and RateLimit headers; another key does not', async ({ playwright }) => {
  const request = await playwright.request.newContext({ baseURL: shortServerUrl });
  try {
    const limited = await arrangeKey('acme', 'alice@acme.test', 'read');
    const other = await arrangeKey('acme', 'alice@acme.test', 'read');
    const limit = SHORT_TIMERS.API_RATE_LIMIT_REQUESTS;
    for (let i = 1; i <= limit; i++) {
      const response = await request.get('/api/v1/projects?limit=1', { headers: bearer(limited.key) });
      expect(response.status(), `request ${i}`).toBe(200);
      expect(response.headers()['ratelimit-limit']).toBe(String(limit));
      expect(response.headers()['ratelimit-remaining']).toBe(String(limit - i));
    }
    const refused = await request.get('/api/v1/projects?limit=1', { headers: bearer(limited.key), failOnStatusCode: false });
    expect(refused.status()).toBe(429);
    const retryAfter = Number(refused.headers()['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(SHORT_TIMERS.API_RATE_LIMIT_WINDOW_SECONDS);
    expect(refused.headers()['ratelimit-remaining']).toBe('0');
    expect(refused.headers()['ratelimit-policy']).toBe(`${limit};w=${SHORT_TIMERS.API_RATE_LIMIT_WINDOW_SECONDS}`);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Per key: the other key is not limited.
    expect((await request.get('/api/v1/projects?limit=1', { headers: bearer(other.key) })).status()).toBe(200);
    // Retry-After tells the truth: after it the key works again.
    await new Promise((resolve) => setTimeout(resolve, (retryAfter + 1) * 1000));
    expect((await request.get('/api/v1/projects?limit=1', { headers: bearer(limited.key) })).status()).toBe(200);
  } finally {
    await request.dispose();
  }
});
