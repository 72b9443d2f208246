import { expect, test, type APIResponse, type Page } from '@playwright/test';
import { policyNonce } from '@repo/e2e/security';

import { builtActions, builtRoutes, postAction as postBuiltAction, type Action } from './built-app';
import { adminQuery, orgApi, signIn, skipWithoutChromium } from './support';

skipWithoutChromium(test);

// Issue #19, item 2: another organisation's address answers 404, and exactly what an organisation that does not exist
// answers (never 403: no existence oracle). Generated from the built app's own route list (the manifest the standalone
// server serves from), not from a list written here: signed in as Alice (Acme and Initech), every page and every route
// handler under /o/[slug] or /api/o/[slug] is requested with the slug of Globex, an organisation she is not in, its
// other dynamic params filled with real ids of Globex's rows. A new route is covered without anyone adding it here;
// a route with a param this spec cannot fill, or a route outside the organisations that is not listed below, fails.

/** Where the organisations' server actions live (src/server/action.ts, validatedAction: the slug is their first argument). */
const ORGANISATION_SOURCES = 'apps/web/src/app/o/[slug]/';

/** Server actions that belong to no organisation (file#export), and why. None yet. */
const ACTIONS_OUTSIDE_ORGANISATIONS: Record<string, string> = {
  'apps/web/src/app/sign-up/actions.ts#signUpAction': 'signing up, before any session',
  'apps/web/src/app/verify-email/actions.ts#confirmEmailAction': 'an emailed link, before any session',
  'apps/web/src/app/forgot-password/actions.ts#forgotPasswordAction': 'asking for a reset link, before any session',
  'apps/web/src/app/reset-password/actions.ts#resetPasswordAction': 'an emailed link, before any session',
  'apps/web/src/app/account/actions.ts#changePasswordAction': "the signed-in user's own password, in no organisation",
  'apps/web/src/app/invite/actions.ts#acceptInvitationAction': 'the invitee is not a member yet; the link names the organisation',
  'apps/web/src/app/invite/actions.ts#signUpInvitedAction': 'the invitee has no account yet',
};

/** src/server/errors.ts ORGANISATION_NOT_FOUND. */
const ORGANISATION_NOT_FOUND = 'There is no such workspace, or you are not a member of it.';

/** Routes that belong to no organisation, and why. Anything else must live under /o/[slug] or /api/o/[slug]. */
const OUTSIDE_ORGANISATIONS: Record<string, string> = {
  '/': 'sends a signed-in user to their first organisation',
  '/sign-in': 'before any organisation is known',
  '/no-workspace': 'a user without any organisation',
  '/api/auth/[...nextauth]': "next-auth's own routes (sign-in, session, sign-out)",
  '/_not-found': "Next.js's not-found page",
  '/_global-error': "Next.js's error page",
  '/favicon.ico': 'a static file',
  // The JSON API: no session and no slug, its API key picks the organisation. api.spec.ts calls every one of its
  // operations with another organisation's key and ids (404, nothing written), generated from the same route list.
  '/api/v1/openapi.json': "the JSON API's OpenAPI document (public, holds no data)",
  '/api/v1/projects': 'the JSON API (api.spec.ts)',
  '/api/v1/projects/[projectId]': 'the JSON API (api.spec.ts)',
  '/api/v1/projects/[projectId]/tasks': 'the JSON API (api.spec.ts)',
  '/api/v1/projects/[projectId]/tasks/[taskId]': 'the JSON API (api.spec.ts)',
  '/sign-up': 'signing up makes the organisation',
  '/verify-email': "an emailed link's page, before any session",
  '/forgot-password': 'before any session',
  '/reset-password': "an emailed link's page, before any session",
  '/account': "the signed-in user's own account, in no organisation",
  '/invite': 'the invitee is not a member yet; the link names the organisation',
  '/dev/inbox': 'development only (404 in this build)',
};

const USER = 'alice@acme.test';
const OTHER = 'globex';
const NO_SUCH = 'no-such-organisation';

interface OtherOrganisation {
  name: string;
  projectId: string;
  taskId: string;
  /** A member of Globex (not its admin). */
  memberId: string;
  /** What must never show up in an answer to Alice: names of Globex's projects and tasks, its members, its own name. */
  secrets: string[];
}

async function otherOrganisation(): Promise<OtherOrganisation> {
  const [row] = await adminQuery<{ name: string; project: string; task: string }>(
    `SELECT tn.name, p.id AS project, t.id AS task FROM tenancy.tenants tn
       JOIN public.projects p ON p.tenant_id = tn.id JOIN public.tasks t ON t.tenant_id = tn.id AND t.project_id = p.id
      WHERE tn.slug = $1 ORDER BY p.created_at, t.created_at LIMIT 1`,
    [OTHER],
  );
  if (!row) throw new Error(`${OTHER} has no task: the seed changed`);
  const rows = await adminQuery<{ text: string }>(
    `SELECT p.name AS text FROM public.projects p JOIN tenancy.tenants tn ON tn.id = p.tenant_id WHERE tn.slug = $1 AND p.name NOT LIKE 'Archive %'
     UNION SELECT t.title FROM public.tasks t JOIN tenancy.tenants tn ON tn.id = t.tenant_id WHERE tn.slug = $1
     UNION SELECT u.email FROM public.users u JOIN public.memberships m ON m.user_id = u.id JOIN tenancy.tenants tn ON tn.id = m.tenant_id
      WHERE tn.slug = $1 AND u.email NOT LIKE '%@acme.test'`,
    [OTHER],
  );
  const [member] = await adminQuery<{ id: string }>(
    "SELECT m.user_id AS id FROM public.memberships m JOIN tenancy.tenants tn ON tn.id = m.tenant_id WHERE tn.slug = $1 AND m.role <> 'admin' ORDER BY m.user_id LIMIT 1",
    [OTHER],
  );
  return { name: row.name, projectId: row.project, taskId: row.task, memberId: member!.id, secrets: [row.name, ...rows.map((r) => r.text)] };
}

/** Globex's rows as they are: a refused request changes none of them. */
async function snapshot(): Promise<string> {
  const rows = await adminQuery<{ snapshot: string }>(
    `SELECT concat_ws('|',
       (SELECT string_agg(p.id || p.name || coalesce(p.description, '') || p.updated_at, ',' ORDER BY p.id) FROM public.projects p WHERE p.tenant_id = tn.id),
       (SELECT string_agg(t.id || t.title || t.status || coalesce(t.assignee_id::text, '') || t.updated_at, ',' ORDER BY t.id) FROM public.tasks t WHERE t.tenant_id = tn.id),
       (SELECT string_agg(c.id::text, ',' ORDER BY c.id) FROM public.comments c WHERE c.tenant_id = tn.id),
       (SELECT string_agg(m.user_id || m.role, ',' ORDER BY m.user_id) FROM public.memberships m WHERE m.tenant_id = tn.id)) AS snapshot
     FROM tenancy.tenants tn WHERE tn.slug = $1`,
    [OTHER],
  );
  return rows[0]!.snapshot;
}

/** How to fill each dynamic param of an organisation's route: with the slug given, and real ids of Globex's rows. */
const FILL: Record<string, (slug: string, other: OtherOrganisation) => string> = {
  slug: (slug) => slug,
  projectId: (_, other) => other.projectId,
  taskId: (_, other) => other.taskId,
};

const isOrganisationRoute = (route: string) => route.startsWith('/o/[slug]/') || route.startsWith('/api/o/[slug]/') || route === '/o/[slug]';

/** `route` with its params filled; throws for a param FILL does not know (a new route needs a way to be filled here). */
function fill(route: string, slug: string, other: OtherOrganisation): string {
  return route.replace(/\[([^\]]+)\]/g, (param, name: string) => {
    const filler = FILL[name];
    if (!filler) throw new Error(`${route}: no way to fill ${param}; add it to FILL in e2e/cross-organisation.spec.ts`);
    return encodeURIComponent(filler(slug, other));
  });
}

/**
 * The body with what is the request's own taken out: the slug as echoed in the page's data, the response's nonce, the
 * per-request keys of Next.js's metadata boundaries in an RSC answer, and the time in an action's answer.
 */
function comparable(body: string, slug: string, response: APIResponse): string {
  const nonce = policyNonce(response.headers());
  return (nonce ? body.replaceAll(nonce, '<nonce>') : body)
    .replaceAll(slug, '<slug>')
    .replace(/("\$L[0-9a-f]+",)"[A-Za-z0-9_-]{20,}"/g, '$1"<key>"')
    .replace(/"at":\d+/g, '"at":0');
}

/**
 * A forged post of `action` with `slug` as its bound first argument (how a form of /o/<slug> sends it:
 * src/components/use-org-action.ts), the form's fields filled with Globex's ids: what React's encodeReply sends.
 */
function postAction(page: Page, baseURL: string, action: Action, slug: string, other: OtherOrganisation): Promise<APIResponse> {
  return postBuiltAction(page.request, baseURL, fill(action.page, slug, other), action, [slug], {
    projectId: other.projectId,
    taskId: other.taskId,
    commentId: other.taskId,
    userId: other.memberId,
    role: 'viewer',
    status: 'done',
    name: 'Forged',
    title: 'Forged',
    body: 'Forged',
    assigneeId: '',
    dueDate: '',
    description: '',
  });
}

async function expectNothingOf(other: OtherOrganisation, label: string, body: string): Promise<void> {
  for (const secret of other.secrets) expect(body, `${label}: shows "${secret}" of ${OTHER}`).not.toContain(secret);
}

test.describe('another organisation’s address', () => {
  let other: OtherOrganisation;
  const routes = builtRoutes();

  test.beforeAll(async () => {
    other = await otherOrganisation();
  });

  test('every route of the build is an organisation’s or is listed as outside the organisations', () => {
    expect(routes.length).toBeGreaterThan(Object.keys(OUTSIDE_ORGANISATIONS).length);
    const unclassified = routes.map((r) => r.route).filter((route) => !isOrganisationRoute(route) && !(route in OUTSIDE_ORGANISATIONS));
    expect(unclassified, 'routes neither under /o/[slug] nor in OUTSIDE_ORGANISATIONS').toEqual([]);
    expect(routes.filter((r) => isOrganisationRoute(r.route) && r.kind === 'page').length).toBeGreaterThanOrEqual(4);
    expect(routes.filter((r) => isOrganisationRoute(r.route) && r.kind === 'route handler').length).toBeGreaterThanOrEqual(1);
  });

  test('every page and route handler of an organisation answers 404 for another organisation, the same as for none', async ({ page }) => {
    await signIn(page, USER);
    const checked: string[] = [];
    for (const { route, kind } of routes.filter((r) => isOrganisationRoute(r.route))) {
      const theirs = fill(route, OTHER, other);
      const nobody = fill(route, NO_SUCH, other);
      if (kind === 'page') {
        await expectSameNotFound(page, other, theirs, nobody, 'GET');
        checked.push(`GET ${route}`);
        // A client-side navigation inside the organisation: the router says it already shows the organisation's layout,
        // so Next.js renders the page without running the layout again. The page must check the slug itself.
        await expectSameNotFound(page, other, theirs, nobody, 'GET', { theirs: navigationFrom(OTHER), nobody: navigationFrom(NO_SUCH) });
        checked.push(`GET ${route} (navigation)`);
        continue;
      }
      // A route handler answers OPTIONS itself (Next.js) with the methods it has: each of them is checked.
      const options = await page.request.fetch(theirs, { method: 'OPTIONS', maxRedirects: 0 });
      const methods = (options.headers().allow ?? '')
        .split(',')
        .map((method) => method.trim())
        .filter((method) => method && method !== 'OPTIONS');
      expect(methods, `${route}: OPTIONS names no method`).not.toEqual([]);
      for (const method of methods) {
        await expectSameNotFound(page, other, theirs, nobody, method);
        checked.push(`${method} ${route}`);
      }
    }
    console.log(`[cross-organisation] ${checked.length} requests checked: ${checked.join(', ')}`);
    // Control: the same addresses with Alice's own organisation answer (the 404s above are not a broken app).
    const own = await page.request.get(orgApi('acme', '/projects'));
    expect(own.status()).toBe(200);
  });

  test('every server action of an organisation refuses another organisation’s slug, the same as none, and changes nothing', async ({ page, baseURL }) => {
    const actions = builtActions();
    const outside = actions.filter((a) => !a.name.startsWith(ORGANISATION_SOURCES) && !(a.name in ACTIONS_OUTSIDE_ORGANISATIONS));
    expect(
      outside.map((a) => a.name),
      `server actions neither under ${ORGANISATION_SOURCES} nor in ACTIONS_OUTSIDE_ORGANISATIONS`,
    ).toEqual([]);
    const ofOrganisations = actions.filter((a) => a.name.startsWith(ORGANISATION_SOURCES));
    expect(ofOrganisations.length).toBeGreaterThanOrEqual(10);

    await signIn(page, USER);
    const before = await snapshot();
    for (const action of ofOrganisations) {
      const theirs = await postAction(page, baseURL!, action, OTHER, other);
      const nobody = await postAction(page, baseURL!, action, NO_SUCH, other);
      const body = await theirs.text();
      expect(theirs.status(), action.name).toBe(200);
      expect(body, `${action.name}: not refused for ${OTHER}`).toContain(ORGANISATION_NOT_FOUND);
      await expectNothingOf(other, action.name, body);
      expect(comparable(body, OTHER, theirs), `${action.name}: not the answer for an organisation that does not exist`).toBe(
        comparable(await nobody.text(), NO_SUCH, nobody),
      );
    }
    expect(await snapshot(), `${OTHER}'s rows changed`).toBe(before);
    console.log(`[cross-organisation] ${ofOrganisations.length} server actions refused: ${ofOrganisations.map((a) => a.name.split('#')[1]).join(', ')}`);
  });
});

/**
 * The headers of a client-side navigation from the organisation's own address (/o/<slug>): Next.js's router state says
 * the root and the /o/[slug] layout are on screen, so the server renders only what is below them.
 */
function navigationFrom(slug: string): Record<string, string> {
  const tree = ['', { children: ['o', { children: [['slug', slug, 'd', null], { children: ['__PAGE__', {}] }] }] }];
  return { rsc: '1', 'next-router-state-tree': encodeURIComponent(JSON.stringify(tree)) };
}

async function expectSameNotFound(
  page: Page,
  other: OtherOrganisation,
  theirs: string,
  nobody: string,
  method: string,
  headers: { theirs: Record<string, string>; nobody: Record<string, string> } | undefined = undefined,
): Promise<void> {
  const send = async (url: string, extra: Record<string, string> | undefined) => {
    const request = (to: string) =>
      page.request.fetch(to, { method, maxRedirects: 0, headers: extra, data: method === 'GET' || method === 'HEAD' ? undefined : '{}' });
    const response = await request(url);
    // Next.js first sends an RSC request without its cache-busting `_rsc` parameter to the same path with it.
    const location = response.status() === 307 ? response.headers().location : undefined;
    if (extra && location && new URL(location, 'http://x').pathname === url && new URL(location, 'http://x').searchParams.has('_rsc')) return request(location);
    return response;
  };
  const [a, b] = [await send(theirs, headers?.theirs), await send(nobody, headers?.nobody)];
  const label = `${method} ${theirs}${headers ? ' (navigation)' : ''}`;
  if (headers) {
    // An RSC navigation streams, so a page below a loading boundary answers 200; what it renders must be the 404
    // (Next.js's not-found signal, which the browser's router shows as the not-found page) and nothing else.
    expect(a.status(), label).toBe(b.status());
    expect([200, 404], label).toContain(a.status());
    expect(await a.text(), `${label}: not a not-found`).toContain('NEXT_HTTP_ERROR_FALLBACK;404');
  } else {
    expect(a.status(), label).toBe(404);
    expect(b.status(), `${method} ${nobody}`).toBe(404);
  }
  if (method === 'HEAD') return;
  const [bodyA, bodyB] = [await a.text(), await b.text()];
  await expectNothingOf(other, label, bodyA);
  expect(comparable(bodyA, OTHER, a), `${label}: not the answer for an organisation that does not exist`).toBe(comparable(bodyB, NO_SUCH, b));
  expect(a.headers()['content-type'], label).toBe(b.headers()['content-type']);
}
