import { sessionCookie } from '@repo/e2e/sign-in';
import type { Check, Part, PartContext } from '../part';
import { createSoakAccounts } from '../soak/accounts';
import { actionIds } from '../soak/actions';
import { startSoakApp } from '../soak/app';
import { connectionGrowth, heapGrowth, rssGrowth, thirds } from '../soak/growth';
import { CONNECTING, Sampler, type Sample } from '../soak/sampler';
import { soakSettings } from '../soak/settings';
import { Tally } from '../soak/tally';
import { Markers, VirtualUser } from '../soak/user';

/**
 * Issue #20, part 4: the web app under 50 concurrent users for 10 minutes (1 in the short run), its memory and the
 * database's connections sampled: no growth, no error. The built app runs in production mode (its standalone server) on
 * a throw-away seeded stack with a real SMTP server, as npm test's browser step starts it. 50 accounts over the seeded
 * organisations (rls, schema and database tenants) sign in through the real sign-in and loop: pages, the JSON API with
 * the session and with an API key, and writes (projects through the API, tasks and comments through the forms' server
 * actions). Every answer must have the expected status and show only its organisation's data.
 */

/**
 * What the web server may hold open, by `role/database`, with the settings this part starts it with (apps/web and the
 * libraries it uses): app_user's pool (DATABASE_POOL_SIZE) and the secrets provider's (2, packages/tenancy/src/secrets/
 * database.ts); app_auth's pool (4, apps/web/src/server/auth/accounts.ts: sign-in, memberships, API keys and their rate
 * limit); a database tenant's role in its own database (perTenantPoolSize 2, packages/tenancy/src/config.ts). Nothing
 * else connects: any other group's cap is 0.
 */
function connectionCaps(appPoolSize: number, databaseTenants: number): { capOf: (group: string) => number; total: number; how: string } {
  const capOf = (group: string) => {
    const [role = '', database = ''] = group.split('/');
    if (database === 'saas' && role === 'app_user') return appPoolSize + 2;
    if (database === 'saas' && role === 'app_auth') return 4;
    if (role.startsWith('t_') && database !== 'saas') return 2;
    // A backend still authenticating belongs to one of the pools above: it counts in the total only.
    if (role === CONNECTING) return Infinity;
    return 0;
  };
  const total = appPoolSize + 2 + 4 + 2 * databaseTenants;
  return { capOf, total, how: `app_user/saas ${appPoolSize} + 2, app_auth/saas 4, each database tenant's role 2, any other 0; all together ${total}` };
}

function flatten(sample: Sample): Record<string, number | string> {
  return {
    t: sample.t,
    phase: sample.phase,
    rssMiB: sample.rssMiB,
    ...(sample.heapMiB === undefined ? {} : { heapMiB: sample.heapMiB }),
    ...(sample.heapAfterFullGcMiB === undefined ? {} : { heapAfterFullGcMiB: sample.heapAfterFullGcMiB }),
    requests: sample.requests,
    connections: sample.connections,
    ...Object.fromEntries(Object.entries(sample.byRole).map(([role, count]) => [`conn ${role}`, count])),
  };
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(ctx: PartContext): Promise<Check[]> {
  const settings = soakSettings(ctx.mode);
  const app = await startSoakApp({ DATABASE_POOL_SIZE: String(settings.appPoolSize), LOG_LEVEL: 'error' }, ctx.log);
  try {
    const { origin, pid } = app.server;
    const { users, orgs } = await createSoakAccounts(app.stack.urls.adminDatabaseUrl, settings.users);
    ctx.log(`${users.length} accounts over ${orgs.map((org) => `${org.slug} (${org.strategy})`).join(', ')}`);
    const tally = new Tally();
    // Five at a time, as people arriving: each is the real sign-in (csrf token, credentials callback, argon2id).
    const cookies: string[] = [];
    for (let at = 0; at < users.length; at += 5) {
      const batch = users.slice(at, at + 5).map(async (user) => {
        const begun = performance.now();
        const cookie = await sessionCookie(origin, user);
        tally.done('sign-in', performance.now() - begun);
        return cookie;
      });
      cookies.push(...(await Promise.all(batch)));
    }
    ctx.log(`${cookies.length} users signed in; ${settings.seconds} s of load, sampling every ${settings.sampleEvery} s`);
    const markers = new Markers(orgs);
    const ids = actionIds();
    const sampler = new Sampler(pid, app.stack.urls.adminDatabaseUrl, settings.sampleEvery, app.heap, () => tally.requests);
    await sampler.start();
    let stopped = false;
    const begun = Date.now();
    const progress = setInterval(() => {
      const last = sampler.samples.at(-1);
      ctx.log(
        `${Math.round((Date.now() - begun) / 1000)} s (${sampler.phase}): ${tally.requests} requests, ${tally.errors} errors, RSS ${last?.rssMiB} MiB, ${last?.connections} connections`,
      );
    }, 30_000);
    const load = Promise.all(
      users.map((user, i) =>
        new VirtualUser(origin, user, cookies[i]!, ids, markers, ctx.random.fork(`user-${i}`), tally, settings.thinkMs).run(() => stopped),
      ),
    );
    const measured = { seconds: 0, requests: 0, warmupSeconds: 0 };
    try {
      const warmupUntil = begun + settings.warmupSeconds * 1000;
      const warmupLimit = begun + 3 * settings.warmupSeconds * 1000;
      const fullGcsBefore = app.heap.fullGcs;
      const warm = () => Date.now() >= warmupUntil && tally.requests >= settings.warmupRequests && app.heap.fullGcs > fullGcsBefore;
      while (Date.now() < warmupLimit && !warm()) await sleep(500);
      measured.warmupSeconds = Math.round((Date.now() - begun) / 1000);
      ctx.log(
        `warm-up done after ${measured.warmupSeconds} s, ${tally.requests} requests and ${app.heap.fullGcs - fullGcsBefore} full GC(s); measuring ${settings.seconds} s`,
      );
      sampler.phase = 'measured';
      const measuredFrom = { at: Date.now(), requests: tally.requests };
      await sleep(settings.seconds * 1000);
      stopped = true;
      await load;
      measured.seconds = (Date.now() - measuredFrom.at) / 1000;
      measured.requests = tally.requests - measuredFrom.requests;
    } finally {
      stopped = true;
      clearInterval(progress);
      await load.catch(() => undefined);
      await sampler.stop();
    }
    return checks(ctx, settings, tally, sampler, measured, orgs.filter((org) => org.strategy === 'database').length, app.heap.fullGcs);
  } finally {
    await app.stop();
  }
}

interface Measured {
  seconds: number;
  requests: number;
  warmupSeconds: number;
}

function checks(
  ctx: PartContext,
  settings: ReturnType<typeof soakSettings>,
  tally: Tally,
  sampler: Sampler,
  measured: Measured,
  databaseTenants: number,
  fullGcs: number,
): Check[] {
  const samples = sampler.samples;
  const parts = thirds(samples);
  const rss = rssGrowth(parts, settings.rssGrowthShare, settings.rssSlackMiB);
  const heap = heapGrowth(samples, settings.heapGrowthShare, settings.heapSlackMiB);
  const { capOf, total, how } = connectionCaps(settings.appPoolSize, databaseTenants);
  const connections = connectionGrowth(samples, parts, capOf, total, settings.connectionSlack);
  const ops = [...tally.byOp].map(([op, count]) => `${op} ${count}`).join(', ');
  const missing = [
    'projects page',
    'project page',
    'task page',
    'GET /api/o/projects',
    'GET /api/v1/projects',
    'POST /api/v1/projects',
    'create task (action)',
    'add comment (action)',
  ].filter((op) => !tally.byOp.has(op));
  const examples = tally.examples.map((e) => `${e.op} ${e.path} -> ${e.status}: ${e.why}`).join(' | ');
  const maxByRole = new Map<string, number>();
  for (const sample of samples) for (const [role, count] of Object.entries(sample.byRole)) maxByRole.set(role, Math.max(maxByRole.get(role) ?? 0, count));
  const byRole = [...maxByRole].map(([role, count]) => `${role} ${count}`).join(', ');
  ctx.log(`requests by operation: ${ops}`);
  ctx.log(`connections, most at once by role/database: ${byRole}`);
  if (examples) ctx.log(`errors: ${examples}`);
  const sampleNote = sampler.failure ? `a sample failed: ${sampler.failure}` : undefined;
  return [
    {
      name: `${settings.users} users, ${settings.seconds} s`,
      figures: {
        users: settings.users,
        'warm-up s': measured.warmupSeconds,
        's measured': round(measured.seconds, 0),
        requests: tally.requests,
        'req/s measured': round(measured.requests / measured.seconds),
        'p50 ms': round(tally.percentile(50), 0),
        'p99 ms': round(tally.percentile(99), 0),
        errors: tally.errors,
        'foreign answers': tally.foreign,
      },
      must: 'every answer the expected status and only its organisation’s data (errors 0), every kind of request done',
      passed: tally.errors === 0 && tally.requests > 0 && missing.length === 0,
      detail: [examples && `errors: ${examples}`, missing.length > 0 && `never done: ${missing.join(', ')}`, `by operation: ${ops}`].filter(Boolean).join('; '),
    },
    {
      name: 'server memory (RSS)',
      figures: {
        samples: samples.length,
        'start MiB': samples[0]!.rssMiB,
        'end MiB': samples.at(-1)!.rssMiB,
        'max MiB': Math.max(...samples.map((s) => s.rssMiB)),
        'first third median MiB': round(rss.firstMedianMiB),
        'last third median MiB': round(rss.lastMedianMiB),
        'allowed growth MiB': round(rss.allowedMiB),
      },
      must: `after the warm-up, the last third's median RSS at most max(${settings.rssGrowthShare * 100}%, ${settings.rssSlackMiB} MiB) above the first third's`,
      passed: rss.passed && !sampler.failure,
      ...(sampleNote ? { detail: sampleNote } : {}),
      series: samples.map(flatten),
    },
    {
      name: 'server live heap',
      figures: {
        'start MiB': heap.startMiB ?? '-',
        'end MiB': heap.endMiB ?? '-',
        'allowed growth MiB': round(heap.allowedMiB),
        'full GCs': fullGcs,
      },
      must: `the heap a full collection leaves (--trace-gc) at the end of the measured load at most max(${settings.heapGrowthShare * 100}%, ${settings.heapSlackMiB} MiB) above its start`,
      passed: heap.passed && !sampler.failure,
      ...(heap.startMiB === undefined
        ? { detail: 'no full collection during the measured load: the live heap was not measured' }
        : sampleNote
          ? { detail: sampleNote }
          : {}),
    },
    {
      name: 'database connections',
      figures: {
        max: connections.max,
        cap: total,
        'first third max': connections.firstMax,
        'last third max': connections.lastMax,
        'groups over cap': connections.over.length,
      },
      must: `no role/database over its pool's cap (${how}), last third's max at most ${settings.connectionSlack} above the first third's`,
      passed: connections.passed && !sampler.failure,
      detail: [connections.over.length > 0 && `over cap: ${connections.over.join(', ')}`, `most at once by role/database: ${byRole}`, sampleNote]
        .filter(Boolean)
        .join('; '),
    },
  ];
}

export const soak: Part = {
  name: 'soak',
  title: 'Soak: the web app under 50 concurrent users, memory and connections sampled',
  requires: [],
  run,
};
