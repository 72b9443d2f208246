'use client';

import Link from 'next/link';
import { useEffect, useState, type FormEvent } from 'react';
import { flushSync } from 'react-dom';
import { PLAN_STRATEGY, PLANS, type Plan } from '@repo/db/plans';
import { SLUG_HTML_PATTERN } from '@repo/tenancy/slug';

import { formatDuration } from '@/lib/format';
import { PLAN_INFO, STRATEGY_INFO, stepLabel } from '@/lib/labels';
import { readNdjson } from '@/lib/ndjson-client';
import { useHydrated } from '@/lib/use-hydrated';

type Strategy = keyof typeof STRATEGY_INFO;
type FieldErrors = Partial<Record<string, string>>;

interface Values {
  slug: string;
  name: string;
  plan: Plan;
  adminEmail: string;
  adminName: string;
  passwordMode: 'generate' | 'set';
  password: string;
}

interface Done {
  ms: number;
  tenant: { slug: string; name: string; plan: Plan; strategy: Strategy; schemaVersion: string | null };
  admin: { email: string; existing: boolean; password?: string };
}

type Phase =
  | { kind: 'editing'; fieldErrors: FieldErrors; error?: string }
  | { kind: 'running'; steps: string[]; current: number; started: number; times: number[] }
  | { kind: 'done'; result: Done; steps: string[]; times: number[] };

const EMPTY: Values = { slug: '', name: '', plan: 'free', adminEmail: '', adminName: '', passwordMode: 'generate', password: '' };

/** "Acme Corp." -> "acme_corp": a suggestion while the operator has not typed a slug of their own. */
function slugFrom(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '')
    .slice(0, 48);
  return slug;
}

export function CreateTenantForm({ steps }: { steps: Record<Strategy, string[]> }) {
  const [values, setValues] = useState<Values>(EMPTY);
  const [slugTouched, setSlugTouched] = useState(false);
  const [phase, setPhase] = useState<Phase>({ kind: 'editing', fieldErrors: {} });
  const [now, setNow] = useState(() => Date.now());
  const ready = useHydrated();

  useEffect(() => {
    if (phase.kind !== 'running') return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [phase.kind]);

  const set = <K extends keyof Values>(key: K, value: Values[K]) => setValues((v) => ({ ...v, [key]: value }));
  const fieldErrors = phase.kind === 'editing' ? phase.fieldErrors : {};

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const started = Date.now();
    setNow(started);
    setPhase({ kind: 'running', steps: [], current: 0, started, times: [] });
    let response: Response;
    try {
      response = await fetch('/api/tenants', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ ...values, password: values.passwordMode === 'set' ? values.password : undefined }),
      });
    } catch {
      setPhase({ kind: 'editing', fieldErrors: {}, error: 'The request did not reach the server: try again.' });
      return;
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string; fieldErrors?: FieldErrors };
      if (response.status === 401) window.location.assign('/sign-in?callbackUrl=/tenants/new');
      setPhase({
        kind: 'editing',
        fieldErrors: body.fieldErrors ?? {},
        error: body.fieldErrors ? undefined : (body.error ?? `The server answered ${response.status}.`),
      });
      return;
    }
    let finished = false;
    // When each step started, relative to the submit: the result lists how long each one took.
    const times: number[] = [];
    let steps: string[] = [];
    await readNdjson(response, (e) => {
      if (e.type === 'start') {
        steps = e.steps as string[];
        setPhase({ kind: 'running', steps, current: 0, started, times: [] });
      } else if (e.type === 'step') {
        const index = e.index as number;
        times[index] ??= Date.now() - started;
        // Rendered at once, not batched with the next event: each step is on screen while it runs.
        flushSync(() => setPhase((p) => (p.kind === 'running' ? { ...p, current: Math.max(p.current, index), times: [...times] } : p)));
      } else if (e.type === 'done') {
        finished = true;
        times.push(Date.now() - started);
        setPhase({ kind: 'done', result: e as unknown as Done, steps, times: [...times] });
      } else if (e.type === 'invalid') {
        finished = true;
        setPhase({ kind: 'editing', fieldErrors: e.fieldErrors as FieldErrors });
      } else if (e.type === 'error') {
        finished = true;
        setPhase({ kind: 'editing', fieldErrors: {}, error: String(e.message) });
      }
    }).catch(() => undefined);
    if (!finished)
      setPhase({ kind: 'editing', fieldErrors: {}, error: 'The connection closed before provisioning finished: check the tenants table before trying again.' });
  }

  if (phase.kind === 'done')
    return (
      <Result
        result={phase.result}
        steps={phase.steps}
        times={phase.times}
        onAgain={() => (setValues(EMPTY), setSlugTouched(false), setPhase({ kind: 'editing', fieldErrors: {} }))}
      />
    );

  const running = phase.kind === 'running';
  return (
    <div className="create-layout">
      <form className="panel form" method="post" onSubmit={onSubmit} noValidate aria-busy={running} data-ready={ready || undefined}>
        <fieldset disabled={running}>
          <legend>Tenant</legend>
          <div className="row-2">
            <Field id="name" label="Name" error={fieldErrors.name}>
              <input
                id="name"
                aria-describedby="name-help"
                name="name"
                value={values.name}
                onChange={(e) => {
                  set('name', e.target.value);
                  if (!slugTouched) set('slug', slugFrom(e.target.value));
                }}
                required
                maxLength={200}
              />
            </Field>
            <Field
              id="slug"
              label="Slug"
              error={fieldErrors.slug}
              hint="Lowercase letters, digits and _; a letter first; 2–48 characters. Cannot be changed later."
            >
              <input
                id="slug"
                aria-describedby="slug-help"
                name="slug"
                value={values.slug}
                onChange={(e) => {
                  setSlugTouched(true);
                  set('slug', e.target.value);
                }}
                required
                pattern={SLUG_HTML_PATTERN}
                autoComplete="off"
                spellCheck={false}
              />
            </Field>
          </div>
          <div className="field" role="radiogroup" aria-label="Plan">
            <span>Plan</span>
            <div className="strategy-options">
              {PLANS.map((p) => (
                <label key={p} className={values.plan === p ? 'strategy-option selected' : 'strategy-option'}>
                  <input type="radio" name="plan" value={p} checked={values.plan === p} onChange={() => set('plan', p)} />
                  <span className="plan-name">{p}</span>
                  <strong>{PLAN_INFO[p].label}</strong>
                  <small>{STRATEGY_INFO[PLAN_STRATEGY[p]].text}</small>
                  <small className="muted">
                    Placement: <span className={`pill strategy-${PLAN_STRATEGY[p]}`}>{PLAN_STRATEGY[p]}</span>
                  </small>
                </label>
              ))}
            </div>
            {fieldErrors.plan && <span className="field-error">{fieldErrors.plan}</span>}
          </div>
        </fieldset>

        <fieldset disabled={running}>
          <legend>First admin</legend>
          <div className="row-2">
            <Field id="adminEmail" label="Admin email" error={fieldErrors.adminEmail}>
              <input
                id="adminEmail"
                aria-describedby="adminEmail-help"
                name="adminEmail"
                type="email"
                value={values.adminEmail}
                onChange={(e) => set('adminEmail', e.target.value)}
                required
                autoComplete="off"
              />
            </Field>
            <Field id="adminName" label="Admin name" error={fieldErrors.adminName}>
              <input
                id="adminName"
                aria-describedby="adminName-help"
                name="adminName"
                value={values.adminName}
                onChange={(e) => set('adminName', e.target.value)}
                required
                autoComplete="off"
              />
            </Field>
          </div>
          <div className="field" role="radiogroup" aria-label="Initial password">
            <span>Initial password</span>
            <label className="radio">
              <input
                type="radio"
                name="passwordMode"
                value="generate"
                checked={values.passwordMode === 'generate'}
                onChange={() => set('passwordMode', 'generate')}
              />
              Generate one (shown once, after the tenant is created)
            </label>
            <label className="radio">
              <input type="radio" name="passwordMode" value="set" checked={values.passwordMode === 'set'} onChange={() => set('passwordMode', 'set')} />
              Set one now
            </label>
          </div>
          {values.passwordMode === 'set' && (
            <Field id="password" label="Password" error={fieldErrors.password} hint="At least 12 characters.">
              <input
                id="password"
                aria-describedby="password-help"
                name="password"
                type="password"
                value={values.password}
                onChange={(e) => set('password', e.target.value)}
                autoComplete="new-password"
              />
            </Field>
          )}
          {values.passwordMode === 'generate' && fieldErrors.password && <span className="field-error">{fieldErrors.password}</span>}
        </fieldset>

        {phase.kind === 'editing' && phase.error && (
          <p className="alert alert-error" role="alert">
            {phase.error}
          </p>
        )}
        <div className="form-actions">
          <button className="button button-primary" type="submit" disabled={running}>
            {running ? 'Creating…' : 'Create tenant'}
          </button>
          <Link className="button button-ghost" href="/tenants">
            Cancel
          </Link>
        </div>
      </form>

      {running ? (
        <Progress
          steps={phase.steps.length ? phase.steps : steps[PLAN_STRATEGY[values.plan]]}
          current={phase.current}
          elapsed={now - phase.started}
          strategy={PLAN_STRATEGY[values.plan]}
        />
      ) : (
        <Preview steps={steps[PLAN_STRATEGY[values.plan]]} strategy={PLAN_STRATEGY[values.plan]} />
      )}
    </div>
  );
}

/** A labelled input whose hint or error is described-by, not part of the label: the label stays its name. */
function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string | undefined; hint?: string; children: React.ReactElement }) {
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children}
      {error ? (
        <span className="field-error" id={`${id}-help`}>
          {error}
        </span>
      ) : hint ? (
        <span className="field-hint" id={`${id}-help`}>
          {hint}
        </span>
      ) : null}
    </div>
  );
}

function Progress({ steps, current, elapsed, strategy }: { steps: string[]; current: number; elapsed: number; strategy: Strategy }) {
  const share = steps.length ? Math.round((current / steps.length) * 100) : 0;
  return (
    <section className="panel progress" aria-live="polite" data-testid="provision-progress">
      <h2>
        Provisioning <span className={`pill strategy-${strategy}`}>{strategy}</span> tenant
        <span className="muted elapsed">{formatDuration(elapsed)}</span>
      </h2>
      <div className="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={share}>
        <div style={{ width: `${Math.max(share, 4)}%` }} />
      </div>
      <ol className="steps">
        {steps.map((step, i) => (
          <li key={step} className={i < current ? 'step done' : i === current ? 'step active' : 'step'}>
            <span className="step-mark" aria-hidden>
              {i < current ? '✓' : i === current ? '' : '○'}
            </span>
            {stepLabel(step)}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Preview({ steps, strategy }: { steps: string[]; strategy: Strategy }) {
  return (
    <aside className="panel progress preview">
      <h2>
        What happens for <span className={`pill strategy-${strategy}`}>{strategy}</span>
      </h2>
      <ol className="steps">
        {steps.map((step) => (
          <li key={step} className="step">
            <span className="step-mark" aria-hidden>
              ○
            </span>
            {stepLabel(step)}
          </li>
        ))}
      </ol>
      <p className="muted small">Each step can be re-run: a provisioning that stops half-way is finished by sending the same form again.</p>
    </aside>
  );
}

function Result({ result, steps, times, onAgain }: { result: Done; steps: string[]; times: number[]; onAgain: () => void }) {
  const [copied, setCopied] = useState(false);
  const { tenant, admin } = result;
  return (
    <section className="panel result" data-testid="create-result">
      <h2>
        <span className="check" aria-hidden>
          ✓
        </span>{' '}
        Tenant <code>{tenant.slug}</code> created
      </h2>
      <dl className="facts">
        <dt>Name</dt>
        <dd>{tenant.name}</dd>
        <dt>Plan</dt>
        <dd>
          <span className="plan-name">{tenant.plan}</span>
        </dd>
        <dt>Strategy</dt>
        <dd>
          <span className={`pill strategy-${tenant.strategy}`}>{tenant.strategy}</span>
        </dd>
        <dt>Schema version</dt>
        <dd>
          <code>{tenant.schemaVersion ?? '—'}</code>
        </dd>
        <dt>Took</dt>
        <dd>
          {formatDuration(result.ms)}
          <ol className="steps compact">
            {steps.map((step, i) => (
              <li key={step} className="step done">
                <span className="step-mark" aria-hidden>
                  ✓
                </span>
                {stepLabel(step)}
                {times[i] !== undefined && times[i + 1] !== undefined && <span className="muted step-time">{formatDuration(times[i + 1]! - times[i]!)}</span>}
              </li>
            ))}
          </ol>
        </dd>
        <dt>First admin</dt>
        <dd>{admin.email}</dd>
        <dt>Password</dt>
        <dd>
          {admin.password ? (
            <>
              <code className="secret" data-testid="generated-password">
                {admin.password}
              </code>{' '}
              <button
                type="button"
                className="button button-small"
                onClick={() =>
                  navigator.clipboard?.writeText(admin.password!).then(
                    () => setCopied(true),
                    () => undefined,
                  )
                }
              >
                {copied ? 'Copied' : 'Copy'}
              </button>
              <p className="alert alert-warn">Shown once: it is stored only as a hash. Copy it now and hand it to the admin.</p>
            </>
          ) : admin.existing ? (
            <span>Existing account: made admin of this tenant, password unchanged.</span>
          ) : (
            <span>As you set it.</span>
          )}
        </dd>
      </dl>
      <div className="form-actions">
        <Link className="button button-primary" href="/tenants">
          Go to tenants
        </Link>
        <button type="button" className="button button-ghost" onClick={onAgain}>
          Create another
        </button>
      </div>
    </section>
  );
}
