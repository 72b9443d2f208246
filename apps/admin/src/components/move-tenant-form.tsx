'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { flushSync } from 'react-dom';

import { formatCount, formatDuration } from '@/lib/format';
import { MOVE_STEP_LABELS, MOVE_STEPS, STRATEGY_INFO, type MoveStepName } from '@/lib/labels';
import { readNdjson } from '@/lib/ndjson-client';
import { useHydrated } from '@/lib/use-hydrated';

export type Strategy = keyof typeof STRATEGY_INFO;

export interface Done {
  from: Strategy;
  to: Strategy;
  rows: number;
  pauseMs: number;
  caughtUp: boolean;
  ms: number;
  /** The servers it moved from and to (the same for a change of strategy). */
  fromServer?: string;
  toServer?: string;
}

export type Phase =
  | { kind: 'editing'; error?: string }
  | { kind: 'running'; to: Strategy; current: number; rows: number; caughtUp: boolean; pauseMs?: number; started: number }
  | { kind: 'done'; result: Done };

/**
 * Where each onProgress step of tenancy.moveTenant leaves the list: copy (0 rows) starts the copy; copy with its rows
 * ends it; pause starts the pause; catch-up (only when writes came in during the copy) happens inside it; switch ends
 * the pause, and the cleanup runs until done.
 */
const CURRENT: Record<string, number> = { copy: 0, pause: 1, 'catch-up': 1, switch: 3, cleanup: 3 };

export function MoveTenantForm({ slug, strategy, blocked }: { slug: string; strategy: Strategy; blocked?: string | undefined }) {
  const others = (Object.keys(STRATEGY_INFO) as Strategy[]).filter((s) => s !== strategy);
  const [choice, setTo] = useState<Strategy>(others[0]!);
  // After a move the page's strategy changes under this form: the choice falls back to one of the others.
  const to = others.includes(choice) ? choice : others[0]!;
  const [phase, setPhase] = useState<Phase>({ kind: 'editing' });
  const [now, setNow] = useState(() => Date.now());
  const ready = useHydrated();
  const router = useRouter();

  useEffect(() => {
    if (phase.kind !== 'running') return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [phase.kind]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await streamMove('/api/tenants/move', { slug, strategy: to }, to, { slug, setPhase, setNow, refresh: () => router.refresh() });
  }

  if (phase.kind === 'done') return <MoveResult result={phase.result} onAgain={() => setPhase({ kind: 'editing' })} />;

  const running = phase.kind === 'running';
  return (
    <div className="create-layout">
      <form className="form" onSubmit={onSubmit} aria-busy={running} data-ready={ready || undefined}>
        <fieldset disabled={running || blocked !== undefined}>
          <div className="field" role="radiogroup" aria-label="Move to">
            <span>Move to</span>
            <div className="strategy-options">
              {others.map((s) => (
                <label key={s} className={to === s ? 'strategy-option selected' : 'strategy-option'}>
                  <input type="radio" name="strategy" value={s} checked={to === s} onChange={() => setTo(s)} />
                  <span className={`pill strategy-${s}`}>{s}</span>
                  <strong>{STRATEGY_INFO[s].label}</strong>
                  <small>{STRATEGY_INFO[s].text}</small>
                </label>
              ))}
            </div>
          </div>
        </fieldset>
        {blocked && <p className="alert alert-warn">{blocked}</p>}
        {phase.kind === 'editing' && phase.error && (
          <p className="alert alert-error" role="alert">
            {phase.error}
          </p>
        )}
        <div className="form-actions">
          <button className="button button-primary" type="submit" disabled={running || blocked !== undefined}>
            {running ? 'Moving…' : `Move to ${to}`}
          </button>
        </div>
      </form>
      {running && <MoveProgress phase={phase} from={strategy} elapsed={now - phase.started} />}
    </div>
  );
}

/**
 * Posts a move (or a plan change, which is a move) and follows its NDJSON events into `phase`: the progress while it
 * runs, the result with the write pause when it is done, the error when it is refused or fails.
 */
export async function streamMove(
  url: string,
  body: Record<string, unknown>,
  to: Strategy,
  ui: { slug: string; setPhase: (update: Phase | ((p: Phase) => Phase)) => void; setNow: (now: number) => void; refresh: () => void },
): Promise<void> {
  const { slug, setPhase, setNow } = ui;
  const started = Date.now();
  setNow(started);
  setPhase({ kind: 'running', to, current: 0, rows: 0, caughtUp: false, started });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    setPhase({ kind: 'editing', error: 'The request did not reach the server: try again.' });
    return;
  }
  if (!response.ok) {
    const answer = (await response.json().catch(() => ({}))) as { error?: string; fieldErrors?: Record<string, string> };
    if (response.status === 401) window.location.assign(`/sign-in?callbackUrl=/tenants/${slug}`);
    const fieldError = answer.fieldErrors ? Object.values(answer.fieldErrors)[0] : undefined;
    setPhase({ kind: 'editing', error: fieldError ?? answer.error ?? `The server answered ${response.status}.` });
    return;
  }
  let finished = false;
  await readNdjson(response, (e) => {
    if (e.type === 'progress') {
      const step = String(e.step);
      const rows = Number(e.rows);
      // Copy with its rows: the copy is over, the pause comes next.
      const current = step === 'copy' && rows > 0 ? 1 : (CURRENT[step] ?? 0);
      // Rendered at once, not batched with the next event: each step is on screen while it runs.
      flushSync(() =>
        setPhase((p) =>
          p.kind === 'running'
            ? {
                ...p,
                current: Math.max(p.current, current),
                rows,
                caughtUp: p.caughtUp || step === 'catch-up',
                pauseMs: typeof e.pauseMs === 'number' ? e.pauseMs : p.pauseMs,
              }
            : p,
        ),
      );
    } else if (e.type === 'done') {
      finished = true;
      setPhase({ kind: 'done', result: e as unknown as Done });
      // The page above (strategy, plan, placement, rows) is read again.
      ui.refresh();
    } else if (e.type === 'error') {
      finished = true;
      setPhase({ kind: 'editing', error: String(e.message) });
      ui.refresh();
    }
  }).catch(() => undefined);
  if (!finished) setPhase({ kind: 'editing', error: 'The connection closed before the move finished: reload the page to see where the tenant is.' });
}

export function MoveProgress({ phase, from, elapsed }: { phase: Extract<Phase, { kind: 'running' }>; from: Strategy; elapsed: number }) {
  const share = Math.round((phase.current / MOVE_STEPS.length) * 100);
  return (
    <section className="panel progress" aria-live="polite" data-testid="move-progress">
      <h2>
        Moving <span className={`pill strategy-${from}`}>{from}</span> → <span className={`pill strategy-${phase.to}`}>{phase.to}</span>
        <span className="muted elapsed">{formatDuration(elapsed)}</span>
      </h2>
      <div className="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={share}>
        <div style={{ width: `${Math.max(share, 4)}%` }} />
      </div>
      <ol className="steps">
        {MOVE_STEPS.map((step: MoveStepName, i) => (
          <li key={step} className={i < phase.current ? 'step done' : i === phase.current ? 'step active' : 'step'} data-step={step}>
            <span className="step-mark" aria-hidden>
              {i < phase.current ? '✓' : i === phase.current ? '' : '○'}
            </span>
            {MOVE_STEP_LABELS[step]}
            {step === 'copy' && phase.rows > 0 && <span className="muted step-time">{formatCount(phase.rows)} rows</span>}
            {step === 'pause' && phase.caughtUp && <span className="muted step-time">writes carried over</span>}
            {step === 'pause' && phase.pauseMs !== undefined && <span className="muted step-time">{formatDuration(phase.pauseMs)}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function MoveResult({ result, onAgain, title, again = 'Move again' }: { result: Done; onAgain: () => void; title?: ReactNode; again?: string }) {
  return (
    <section className="result" data-testid="move-result" role="status">
      <h2>
        <span className="check" aria-hidden>
          ✓
        </span>{' '}
        {title ?? (
          <>
            Moved from <span className={`pill strategy-${result.from}`}>{result.from}</span> to{' '}
            <span className={`pill strategy-${result.to}`}>{result.to}</span>
          </>
        )}
      </h2>
      <dl className="facts">
        <dt>Write pause</dt>
        <dd data-testid="move-pause">{formatDuration(result.pauseMs)}</dd>
        <dt>Writes carried over</dt>
        <dd data-testid="move-caught-up">
          {result.caughtUp ? 'yes: writes made during the copy were copied again under the pause' : 'none: nothing was written during the copy'}
        </dd>
        <dt>Rows</dt>
        <dd>{formatCount(result.rows)}</dd>
        <dt>Took</dt>
        <dd>{formatDuration(result.ms)}</dd>
      </dl>
      <div className="form-actions">
        <button type="button" className="button button-ghost" onClick={onAgain}>
          {again}
        </button>
      </div>
    </section>
  );
}
