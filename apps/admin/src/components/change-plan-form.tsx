'use client';

import { PLAN_STRATEGY, PLANS, type Plan } from '@repo/db/plans';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';

import { PLAN_INFO } from '@/lib/labels';
import { useHydrated } from '@/lib/use-hydrated';
import { MoveProgress, MoveResult, streamMove, type Phase, type Strategy } from './move-tenant-form';

/** What the page knows of the tenant's plan (PlanStatus of @repo/db/plan-changes, as plain data). */
export interface PlanFacts {
  plan: Plan;
  pendingPlan: Plan | null;
  expected: Strategy;
  matches: boolean;
  placementPlan: Plan;
}

/**
 * Changing a plan is a move to the plan's placement: the same progress, pause and result as the move form. When the
 * tenant is not where its plan places it (an interrupted change, or a move or restore made without its plan), the
 * two ways to set it right come first.
 */
export function ChangePlanForm({ slug, strategy, facts, blocked }: { slug: string; strategy: Strategy; facts: PlanFacts; blocked?: string | undefined }) {
  const others = PLANS.filter((p) => p !== facts.plan);
  const [choice, setChoice] = useState<Plan>(others[0]!);
  const plan = others.includes(choice) ? choice : others[0]!;
  const [phase, setPhase] = useState<Phase>({ kind: 'editing' });
  const [now, setNow] = useState(() => Date.now());
  const ready = useHydrated();
  const router = useRouter();

  useEffect(() => {
    if (phase.kind !== 'running') return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [phase.kind]);

  const change = (to: Plan) =>
    streamMove('/api/tenants/plan', { slug, plan: to }, PLAN_STRATEGY[to], { slug, setPhase, setNow, refresh: () => router.refresh() });

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await change(plan);
  }

  if (phase.kind === 'done') {
    const { result } = phase;
    const plans = (result as unknown as { plan: { from: Plan; to: Plan } }).plan;
    return (
      <MoveResult
        result={result}
        again="Change again"
        onAgain={() => setPhase({ kind: 'editing' })}
        title={
          <>
            Plan {plans.from === plans.to ? 'is' : 'changed from'} {plans.from !== plans.to && <span className="plan-name">{plans.from}</span>}
            {plans.from !== plans.to && ' to '}
            <span className="plan-name" data-testid="plan-result-plan">
              {plans.to}
            </span>
            {result.from === result.to ? (
              <span className="muted"> (already in {result.to}: nothing moved)</span>
            ) : (
              <>
                {' '}
                — moved <span className={`pill strategy-${result.from}`}>{result.from}</span> →{' '}
                <span className={`pill strategy-${result.to}`}>{result.to}</span>
              </>
            )}
          </>
        }
      />
    );
  }

  const running = phase.kind === 'running';
  return (
    <div className="create-layout">
      <div className="stack">
        {!facts.matches && (
          <div className="alert alert-warn" data-testid="plan-mismatch" role="status">
            {facts.pendingPlan ? (
              <p>
                A change to <strong>{facts.pendingPlan}</strong> did not finish: the plan in effect is <strong>{facts.plan}</strong> and the tenant is in{' '}
                <strong>{strategy}</strong>. It serves from there meanwhile.
              </p>
            ) : (
              <p>
                The tenant is in <strong>{strategy}</strong>, where <strong>{facts.placementPlan}</strong> places tenants, but its plan is{' '}
                <strong>{facts.plan}</strong> (which places them in {facts.expected}): it was moved or restored without its plan.
              </p>
            )}
            <div className="form-actions">
              {facts.pendingPlan ? (
                <>
                  <button
                    type="button"
                    className="button button-primary"
                    disabled={running || blocked !== undefined}
                    onClick={() => change(facts.pendingPlan!)}
                  >
                    Finish the change to {facts.pendingPlan}
                  </button>
                  {facts.pendingPlan !== facts.plan && (
                    <button type="button" className="button" disabled={running || blocked !== undefined} onClick={() => change(facts.plan)}>
                      Cancel it: stay on {facts.plan}
                    </button>
                  )}
                </>
              ) : (
                <>
                  <button type="button" className="button button-primary" disabled={running || blocked !== undefined} onClick={() => change(facts.plan)}>
                    Move it to {facts.expected} ({facts.plan})
                  </button>
                  <button type="button" className="button" disabled={running || blocked !== undefined} onClick={() => change(facts.placementPlan)}>
                    Put it on {facts.placementPlan} (no move)
                  </button>
                </>
              )}
            </div>
          </div>
        )}
        <form className="form" onSubmit={onSubmit} aria-busy={running} data-ready={ready || undefined}>
          <fieldset disabled={running || blocked !== undefined}>
            <div className="field" role="radiogroup" aria-label="Change plan to">
              <span>Change plan to</span>
              <div className="strategy-options">
                {others.map((p) => (
                  <label key={p} className={plan === p ? 'strategy-option selected' : 'strategy-option'}>
                    <input type="radio" name="plan" value={p} checked={plan === p} onChange={() => setChoice(p)} />
                    <span className="plan-name">{p}</span>
                    <strong>{PLAN_INFO[p].label}</strong>
                    <small>
                      {PLAN_INFO[p].text} <span className={`pill strategy-${PLAN_STRATEGY[p]}`}>{PLAN_STRATEGY[p]}</span>
                    </small>
                  </label>
                ))}
              </div>
            </div>
          </fieldset>
          {blocked && <p className="alert alert-warn">{blocked}</p>}
          {phase.kind === 'editing' && phase.error && (
            <p className="alert alert-error" role="alert" data-testid="plan-error">
              {phase.error}
            </p>
          )}
          <div className="form-actions">
            <button className="button button-primary" type="submit" disabled={running || blocked !== undefined}>
              {running ? 'Changing…' : `Change plan to ${plan}`}
            </button>
          </div>
        </form>
      </div>
      {running && <MoveProgress phase={phase} from={strategy} elapsed={now - phase.started} />}
    </div>
  );
}
