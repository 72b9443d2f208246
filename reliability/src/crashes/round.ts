import type { AppTenancy } from '@repo/db/tenancy';
import type { LifecycleCall } from '@repo/tenancy/test-processes';
import type { Random } from '../random';
import type { Children } from './children';
import { foreignRows, serves } from './inspect';
import { killAndRerun, type Kill } from './kill';
import { findLeftovers } from './leftovers';

/** What one kill and its rerun left, as the checks read it. */
export interface Round {
  command: string;
  /** The call's kind: create-schema, move-rls-database, import-rls, migrate. */
  label: string;
  kill: Kill;
  /** The tenant's catalog status (and strategy) right after the kill, before the rerun: where the kill landed. */
  afterKill: string;
  /** audit() findings after the rerun, as `code object`. */
  findings: string[];
  leftovers: string[];
  /** Tenants of the round that did not serve after the rerun (or whose data came out wrong). */
  notServing: string[];
  foreign: number;
  /** The writer's writes so far (a move round's), counted in the tenant after the rerun. */
  writes?: { acknowledged: number; failed: number; lost: number; doubled: number };
}

export interface Setting {
  tenancy: AppTenancy;
  children: Children;
  random: Random;
  superuserUrl: string;
  secretsFile: string;
  log(line: string): void;
}

/** The catalog's word on a tenant: `status` (`strategy/status` with `withStrategy`), or `absent`. */
export async function catalogState(tenancy: AppTenancy, slug: string, withStrategy = false): Promise<string> {
  try {
    const tenant = await tenancy.getTenant(slug);
    return withStrategy ? `${tenant.strategy}/${tenant.status}` : tenant.status;
  } catch {
    return 'absent';
  }
}

export interface RoundPlan {
  command: string;
  label: string;
  call: LifecycleCall;
  measuredMs: number;
  /** The round's tenants, checked after the rerun. */
  slugs: string[];
  /** Where the kill landed, read from the catalog. */
  state(): Promise<string>;
  /** Extra checks of the tenants' data after the rerun (row counts, versions): what is wrong, if anything. */
  verify?(): Promise<string[]>;
  /** The tenancy that checks afterwards (migrate's rounds: one that knows the new migrations). */
  checker?: AppTenancy;
  /** Run after the rerun, before the checks: the part's planted faults, which the checks must catch. */
  plant?(): Promise<void>;
  childOptions?: Record<string, unknown>;
}

/** Kills the call, reruns it, and reads audit(), the leftovers, the tenants' service and the rows they see. */
export async function runRound(setting: Setting, plan: RoundPlan): Promise<Round> {
  let afterKill = '';
  const kill = await killAndRerun(
    setting.children,
    plan.call,
    plan.measuredMs,
    setting.random,
    async () => {
      afterKill = await plan.state();
    },
    plan.childOptions,
  );
  // A create or import the kill came too late for says the tenant exists: the rerun's answer when the work was done.
  if ('error' in kill.rerun && /already exists/.test(kill.rerun.error) && /(^|\/)active$/.test(await plan.state()))
    kill.rerun = { alreadyDone: kill.rerun.error };
  await plan.plant?.();
  return { command: plan.command, label: plan.label, kill, afterKill, ...(await inspectAfter(setting, plan)) };
}

export async function inspectAfter(setting: Setting, plan: Pick<RoundPlan, 'slugs' | 'verify' | 'checker'>) {
  const tenancy = plan.checker ?? setting.tenancy;
  const report = await tenancy.audit();
  // First: the serving check below writes a row of its own.
  const notServing: string[] = [...((await plan.verify?.()) ?? [])];
  let foreign = 0;
  for (const slug of plan.slugs) {
    if (!(await serves(tenancy, slug))) {
      notServing.push(slug);
      continue;
    }
    foreign += await foreignRows(tenancy, slug);
  }
  return {
    findings: report.findings.map((f) => `${f.code} ${f.object}`),
    leftovers: await findLeftovers(setting.superuserUrl, tenancy, setting.secretsFile),
    notServing,
    foreign,
  };
}
