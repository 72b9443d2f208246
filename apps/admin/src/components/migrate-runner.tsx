'use client';

import { useEffect, useState } from 'react';

import { formatDuration } from '@/lib/format';
import { readNdjson } from '@/lib/ndjson-client';
import { useHydrated } from '@/lib/use-hydrated';

interface Progress {
  tenant: string | null;
  strategy: string | null;
  placement: string;
  status: 'done' | 'failed';
  version: string | null;
  error: string | null;
  completed: number;
  total: number;
}

interface Summary {
  done: number;
  upToDate: number;
  total: number;
  ms: number;
  failed: { tenant: string | null; placement: string; error: string; code: string | null }[];
  canary: number;
  stoppedAfterCanary: boolean;
  notAttempted: string[];
}

type State =
  | { kind: 'idle' }
  | { kind: 'running'; started: number; items: Progress[] }
  | { kind: 'finished'; items: Progress[]; summary: Summary }
  | { kind: 'error'; items: Progress[]; message: string };

export function MigrateRunner() {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [concurrency, setConcurrency] = useState(4);
  const [canary, setCanary] = useState(0);
  const [now, setNow] = useState(() => Date.now());
  const ready = useHydrated();

  useEffect(() => {
    if (state.kind !== 'running') return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [state.kind]);

  async function run() {
    const started = Date.now();
    setNow(started);
    setState({ kind: 'running', started, items: [] });
    const items: Progress[] = [];
    let response: Response;
    try {
      response = await fetch('/api/migrate', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ concurrency, canary }),
      });
    } catch {
      setState({ kind: 'error', items, message: 'The request did not reach the server.' });
      return;
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      setState({ kind: 'error', items, message: body.error ?? `The server answered ${response.status}.` });
      return;
    }
    let ended = false;
    await readNdjson(response, (e) => {
      if (e.type === 'progress') {
        items.push(e as unknown as Progress);
        setState({ kind: 'running', started, items: [...items] });
      } else if (e.type === 'summary') {
        ended = true;
        setState({ kind: 'finished', items: [...items], summary: e as unknown as Summary });
      } else if (e.type === 'error') {
        ended = true;
        setState({ kind: 'error', items: [...items], message: String(e.message) });
      }
    }).catch(() => undefined);
    if (!ended) setState({ kind: 'error', items: [...items], message: 'The connection closed before the run finished; the run itself goes on on the server.' });
  }

  const items = state.kind === 'idle' ? [] : state.items;
  const last = items.at(-1);
  const share = last ? Math.round((last.completed / last.total) * 100) : 0;
  const failed = items.filter((i) => i.status === 'failed');

  return (
    <section className="panel migrate">
      <div className="migrate-controls">
        <label className="field inline">
          <span>Tenants at once</span>
          <select value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value))} disabled={state.kind === 'running'}>
            {[1, 2, 4, 8].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label className="field inline">
          <span title="Migrate this many tenants first, and stop there if one of them fails">Canary</span>
          <select value={canary} onChange={(e) => setCanary(Number(e.target.value))} disabled={state.kind === 'running'} aria-label="Canary tenants">
            {[0, 1, 5, 10].map((n) => (
              <option key={n} value={n}>
                {n === 0 ? 'none' : `${n} first`}
              </option>
            ))}
          </select>
        </label>
        <button className="button button-primary" type="button" onClick={run} disabled={state.kind === 'running'} data-ready={ready || undefined}>
          {state.kind === 'running' ? 'Migrating…' : 'Run migrations'}
        </button>
        {state.kind === 'running' && <span className="muted">{formatDuration(now - state.started)}</span>}
      </div>

      {state.kind !== 'idle' && (
        <div className="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={share}>
          <div className={failed.length ? 'has-failures' : undefined} style={{ width: `${Math.max(share, 2)}%` }} />
        </div>
      )}

      {state.kind === 'finished' && (
        <div className={state.summary.failed.length ? 'alert alert-error' : 'alert alert-ok'} role="status" data-testid="migrate-summary">
          <strong>
            {state.summary.done} of {state.summary.total} done, {state.summary.failed.length} failed
          </strong>{' '}
          in {formatDuration(state.summary.ms)}; {state.summary.upToDate} tenant(s) were already current.
          {state.summary.stoppedAfterCanary && (
            <p data-testid="migrate-canary-stop">
              Stopped after the canary ({state.summary.canary} first): {state.summary.notAttempted.length} tenant(s) not attempted
              {state.summary.notAttempted.length > 0 && (
                <>
                  {': '}
                  {state.summary.notAttempted.map((slug, i) => (
                    <span key={slug}>
                      {i > 0 && ', '}
                      <code>{slug}</code>
                    </span>
                  ))}
                </>
              )}
              . Fix the failure and run again: finished tenants are not migrated twice.
            </p>
          )}
          {state.summary.failed.length > 0 && (
            <ul>
              {state.summary.failed.map((f) => (
                <li key={f.placement}>
                  <code>{f.tenant ?? f.placement}</code>: {f.error}
                  {f.code && <span className="muted"> (SQLSTATE {f.code})</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {state.kind === 'error' && (
        <p className="alert alert-error" role="alert">
          {state.message}
        </p>
      )}

      {items.length > 0 && (
        <table className="table compact" data-testid="migrate-progress">
          <thead>
            <tr>
              <th>#</th>
              <th>Target</th>
              <th>Placement</th>
              <th>Result</th>
              <th>Version</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={`${item.completed}-${item.placement}`} className={item.status === 'failed' ? 'row-failed' : undefined}>
                <td className="num">
                  {item.completed}/{item.total}
                </td>
                <td>{item.tenant ? <code>{item.tenant}</code> : <span className="muted">deployment</span>}</td>
                <td>
                  <code>{item.placement}</code>
                </td>
                <td>
                  {item.status === 'done' ? (
                    <span className="status status-active">done</span>
                  ) : (
                    <span className="status status-deleting" title={item.error ?? undefined}>
                      failed
                    </span>
                  )}
                  {item.error && <div className="sub error-text">{item.error}</div>}
                </td>
                <td>
                  <code>{item.version ?? '—'}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
