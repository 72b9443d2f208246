import { actionHeaders } from '@repo/e2e/next-build';
import type { Random } from '../random';
import { actionForm, type ActionIds } from './actions';
import { marker, type SoakOrg, type SoakUser } from './accounts';
import type { Tally } from './tally';

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A request that takes this long counts as an error (a person would have given up). */
const TIMEOUT_MS = 30_000;

/** Which organisation's data an answer may show: its own projects' names and markers, none of the others'. */
export class Markers {
  /** Per organisation: strings only another organisation's answers could contain. */
  private readonly foreign = new Map<string, string[]>();
  private readonly own = new Map<string, Set<string>>();

  constructor(orgs: SoakOrg[]) {
    // A name two organisations share (the seed's "Archive" projects) tells nothing: only names of one organisation count.
    const holders = new Map<string, number>();
    for (const org of orgs) for (const name of new Set(org.seedProjects)) holders.set(name, (holders.get(name) ?? 0) + 1);
    for (const org of orgs) {
      const others = orgs.filter((other) => other.slug !== org.slug);
      this.foreign.set(org.slug, [
        ...others.map((other) => marker(other.slug)),
        ...others.flatMap((other) => other.seedProjects.filter((name) => holders.get(name) === 1)),
      ]);
      this.own.set(org.slug, new Set(org.seedProjects));
    }
  }

  /** The first string of another organisation that `body` contains, if any. */
  foreignIn(slug: string, body: string): string | undefined {
    return this.foreign.get(slug)!.find((text) => body.includes(text));
  }

  /** Whether a project of this name may be listed in `slug`: one of its own, or one the soak wrote there. */
  isOwn(slug: string, name: string): boolean {
    return this.own.get(slug)!.has(name) || name.includes(marker(slug));
  }
}

interface Known {
  projects: string[];
  /** Task ids by project, as the project pages linked them. */
  tasks: Map<string, string[]>;
}

interface Answer {
  status: number;
  body: string;
}

/**
 * One signed-in user: loops over what a person does in the app (the project list, a project, a task, the
 * JSON list), what an integration does with its API key (list, create), and the UI's writes (a task, a comment, posted
 * as the forms post them), with a think time between requests. Every answer must have the status expected and show
 * only its organisation's data; anything else is counted, with examples, in `tally`.
 */
export class VirtualUser {
  private readonly known = new Map<string, Known>();
  private writes = 0;

  constructor(
    private readonly origin: string,
    private readonly user: SoakUser,
    private readonly cookie: string,
    private readonly actions: ActionIds,
    private readonly markers: Markers,
    private readonly random: Random,
    private readonly tally: Tally,
    private readonly thinkMs: [number, number],
  ) {
    for (const slug of user.orgs) this.known.set(slug, { projects: [], tasks: new Map() });
  }

  /** Until `done()` says so. */
  async run(done: () => boolean): Promise<void> {
    while (!done()) {
      await this.step();
      const [min, max] = this.thinkMs;
      await new Promise((resolve) => setTimeout(resolve, min + this.random.int(0, max - min)));
    }
  }

  private async step(): Promise<void> {
    const slug = this.user.orgs[this.random.int(0, this.user.orgs.length - 1)]!;
    const known = this.known.get(slug)!;
    const project = known.projects.length > 0 ? known.projects[this.random.int(0, known.projects.length - 1)]! : undefined;
    const tasks = project ? (known.tasks.get(project) ?? []) : [];
    const task = tasks.length > 0 ? tasks[this.random.int(0, tasks.length - 1)]! : undefined;
    const roll = this.random.int(0, 99);
    if (!project || roll < 20) return this.projectsPage(slug);
    if (roll < 35) return this.projectPage(slug, project);
    if (roll < 45 && task) return this.taskPage(slug, project, task);
    if (roll < 60) return this.projectsJson(slug);
    const keyOrg = this.user.orgs[0]!;
    if (roll < 70) return this.apiProjects(keyOrg);
    if (roll < 76) return this.apiCreateProject(keyOrg);
    if (roll < 88) return this.createTask(slug, project);
    if (task) return this.addComment(slug, project, task);
    return this.projectPage(slug, project);
  }

  // ---- reading ------------------------------------------------------------------------------------------

  private async projectsPage(slug: string): Promise<void> {
    const answer = await this.request('projects page', slug, `/o/${slug}/projects`, { headers: { cookie: this.cookie } }, 200);
    if (!answer) return;
    const ids = new Set([...answer.body.matchAll(new RegExp(`/o/${slug}/projects/(${UUID})`, 'g'))].map((match) => match[1]!));
    if (ids.size === 0) return this.fail('projects page', `/o/${slug}/projects`, answer.status, 'no project linked');
    this.known.get(slug)!.projects = [...ids];
  }

  private async projectPage(slug: string, project: string): Promise<void> {
    const path = `/o/${slug}/projects/${project}`;
    const answer = await this.request('project page', slug, path, { headers: { cookie: this.cookie } }, 200);
    if (!answer) return;
    const ids = new Set([...answer.body.matchAll(new RegExp(`${path}/tasks/(${UUID})`, 'g'))].map((match) => match[1]!));
    this.known.get(slug)!.tasks.set(project, [...ids]);
  }

  private async taskPage(slug: string, project: string, task: string): Promise<void> {
    await this.request('task page', slug, `/o/${slug}/projects/${project}/tasks/${task}`, { headers: { cookie: this.cookie } }, 200);
  }

  private async projectsJson(slug: string): Promise<void> {
    const path = `/api/o/${slug}/projects?limit=20`;
    const answer = await this.request('GET /api/o/projects', slug, path, { headers: { cookie: this.cookie } }, 200);
    if (answer) this.ownProjects('GET /api/o/projects', slug, path, answer, (JSON.parse(answer.body) as { projects: { name: string }[] }).projects);
  }

  private async apiProjects(slug: string): Promise<void> {
    const path = '/api/v1/projects?limit=20';
    const answer = await this.request('GET /api/v1/projects', slug, path, { headers: this.bearer() }, 200);
    if (answer) this.ownProjects('GET /api/v1/projects', slug, path, answer, (JSON.parse(answer.body) as { data: { name: string }[] }).data);
  }

  /** Every project listed must be one of the organisation's (a positive check: not only no known foreign name). */
  private ownProjects(op: string, slug: string, path: string, answer: Answer, projects: { name: string }[]): void {
    if (projects.length === 0) return this.fail(op, path, answer.status, 'no project listed');
    const stranger = projects.find((project) => !this.markers.isOwn(slug, project.name));
    if (stranger) this.fail(op, path, answer.status, `lists "${stranger.name}", not a project of ${slug}`, true);
  }

  // ---- writing ------------------------------------------------------------------------------------------

  private name(kind: string, slug: string): string {
    return `Soak ${kind} u${this.user.index} #${++this.writes} ${marker(slug)}`;
  }

  private async apiCreateProject(slug: string): Promise<void> {
    const body = JSON.stringify({ name: this.name('project', slug), description: 'written by the reliability soak' });
    const answer = await this.request(
      'POST /api/v1/projects',
      slug,
      '/api/v1/projects',
      { method: 'POST', headers: { ...this.bearer(), 'content-type': 'application/json' }, body },
      201,
    );
    if (!answer) return;
    const { id } = JSON.parse(answer.body) as { id?: string };
    if (!id) this.fail('POST /api/v1/projects', '/api/v1/projects', answer.status, 'no id in the answer');
  }

  private async createTask(slug: string, project: string): Promise<void> {
    const path = `/o/${slug}/projects/${project}`;
    const form = actionForm(slug, { projectId: project, title: this.name('task', slug), assigneeId: '', dueDate: '' });
    await this.action('create task (action)', slug, path, this.actions.createTask, form, 'Task added.');
  }

  private async addComment(slug: string, project: string, task: string): Promise<void> {
    const path = `/o/${slug}/projects/${project}/tasks/${task}`;
    const form = actionForm(slug, { projectId: project, taskId: task, body: this.name('comment', slug) });
    await this.action('add comment (action)', slug, path, this.actions.addComment, form);
  }

  /** A form's post of a server action: 200, and the action's state says it succeeded (and says what, if `message`). */
  private async action(op: string, slug: string, path: string, id: string, form: FormData, message?: string): Promise<void> {
    const headers = { cookie: this.cookie, ...actionHeaders(id, this.origin) };
    const answer = await this.request(op, slug, path, { method: 'POST', headers, body: form }, 200);
    if (!answer) return;
    if (!answer.body.includes('"status":"ok"') || answer.body.includes('"status":"error"') || (message && !answer.body.includes(message)))
      this.fail(op, path, answer.status, `the action did not succeed: ${answer.body.slice(0, 200)}`);
  }

  // ---- plumbing -----------------------------------------------------------------------------------------

  private bearer(): Record<string, string> {
    return { authorization: `Bearer ${this.user.apiKey}` };
  }

  /** One request: its latency is tallied; a wrong status, a timeout or another organisation's data is an error. */
  private async request(op: string, slug: string, path: string, init: RequestInit, expected: number): Promise<Answer | undefined> {
    const started = performance.now();
    let status: number;
    let body: string;
    try {
      const response = await fetch(`${this.origin}${path}`, { ...init, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
      status = response.status;
      body = await response.text();
    } catch (error) {
      this.tally.done(op, performance.now() - started);
      this.fail(op, path, error instanceof Error ? error.name : 'error', error instanceof Error ? error.message : String(error));
      return undefined;
    }
    this.tally.done(op, performance.now() - started);
    if (status !== expected) {
      this.fail(op, path, status, `expected ${expected}: ${body.slice(0, 200)}`);
      return undefined;
    }
    const foreign = this.markers.foreignIn(slug, body);
    if (foreign) {
      this.fail(op, path, status, `shows "${foreign}" of another organisation`, true);
      return undefined;
    }
    return { status, body };
  }

  private fail(op: string, path: string, status: number | string, why: string, foreign = false): void {
    this.tally.fail({ op, path, status, why: `${this.user.email}: ${why}` }, foreign);
  }
}
