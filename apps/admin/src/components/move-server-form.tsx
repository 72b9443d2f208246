'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';

import { STRATEGY_INFO } from '@/lib/labels';
import { useHydrated } from '@/lib/use-hydrated';

import { MoveProgress, MoveResult, streamMove, type Phase, type Strategy } from './move-tenant-form';

export interface ServerChoice {
  name: string;
  primary: boolean;
  /** It holds shared tables (the primary, or a shard): rls tenants can live there. */
  sharedTables: boolean;
  state: 'open' | 'drained' | 'read_only';
}

/**
 * Moving a tenant to another server (tenancy.moveTenant(slug, { server, strategy })), online as any move. An rls tenant
 * lives in shared tables, so on a server without them (not a shard) it takes a schema or a database of its own; only an
 * open server takes a tenant.
 */
export function MoveServerForm({
  slug,
  strategy,
  server,
  servers,
  blocked,
}: {
  slug: string;
  strategy: Strategy;
  server: string;
  servers: readonly ServerChoice[];
  blocked?: string | undefined;
}) {
  const others = servers.filter((s) => s.name !== server);
  const firstOpen = others.find((s) => s.state === 'open')?.name ?? others[0]?.name ?? '';
  const [choice, setChoice] = useState(firstOpen);
  const target = others.find((s) => s.name === choice) ?? others.find((s) => s.name === firstOpen);
  // Strategies the target server can hold: every one where there are shared tables, schema and database elsewhere.
  const strategies = (Object.keys(STRATEGY_INFO) as Strategy[]).filter((s) => s !== 'rls' || target?.sharedTables);
  const [strategyChoice, setStrategy] = useState<Strategy>(strategy);
  const to = strategies.includes(strategyChoice) ? strategyChoice : (strategies.find((s) => s === 'schema') ?? strategies[0]!);
  const [phase, setPhase] = useState<Phase>({ kind: 'editing' });
  const [now, setNow] = useState(() => Date.now());
  const ready = useHydrated();
  const router = useRouter();

  useEffect(() => {
    if (phase.kind !== 'running') return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [phase.kind]);

  if (others.length === 0) return <p className="muted">This deployment has one server: set TENANCY_SERVERS to add others.</p>;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!target) return;
    await streamMove('/api/tenants/move', { slug, server: target.name, strategy: to }, to, { slug, setPhase, setNow, refresh: () => router.refresh() });
  }

  if (phase.kind === 'done') {
    const { result } = phase;
    return (
      <MoveResult
        result={result}
        onAgain={() => setPhase({ kind: 'editing' })}
        title={
          <>
            Moved from <code>{result.fromServer}</code> to <code data-testid="move-to-server">{result.toServer}</code>
          </>
        }
      />
    );
  }

  const running = phase.kind === 'running';
  const closed =
    target !== undefined && target.state !== 'open' ? `Server "${target.name}" is ${target.state.replace('_', '-')}: it takes no tenants.` : undefined;
  return (
    <div className="create-layout">
      <form className="form" onSubmit={onSubmit} aria-busy={running} data-ready={ready || undefined} data-testid="move-server-form">
        <fieldset disabled={running || blocked !== undefined}>
          <div className="field">
            <label htmlFor="move-server">Server</label>
            <select id="move-server" name="server" value={target?.name ?? ''} onChange={(e) => setChoice(e.target.value)}>
              {others.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.name}
                  {s.primary ? ' (primary)' : s.sharedTables ? ' (shared tables)' : ''}
                  {s.state === 'open' ? '' : ` (${s.state.replace('_', '-')})`}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="move-server-strategy">Strategy there</label>
            <select id="move-server-strategy" name="strategy" value={to} onChange={(e) => setStrategy(e.target.value as Strategy)}>
              {strategies.map((s) => (
                <option key={s} value={s}>
                  {s}
                  {s === strategy ? ' (as now)' : ''}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
        {/* A block (not active, behind on migrations) is said once, in the strategy move above; only the target's state here. */}
        {blocked === undefined && closed && <p className="alert alert-warn">{closed}</p>}
        {phase.kind === 'editing' && phase.error && (
          <p className="alert alert-error" role="alert">
            {phase.error}
          </p>
        )}
        <div className="form-actions">
          <button className="button button-primary" type="submit" disabled={running || blocked !== undefined || closed !== undefined || !target}>
            {running ? 'Moving…' : `Move the tenant to ${target?.name ?? '…'}`}
          </button>
        </div>
      </form>
      {running && <MoveProgress phase={phase} from={strategy} elapsed={now - phase.started} />}
    </div>
  );
}
