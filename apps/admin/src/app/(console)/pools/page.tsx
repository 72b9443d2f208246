import type { Metadata } from 'next';

import { formatDate } from '@/lib/format';
import { poolView } from '@/server/queries/pools';
import { requireOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Pools · Tenancy Operator Console' };

function Gauge({ used, max, label }: { used: number; max: number; label: string }) {
  const share = max > 0 ? Math.min(1, used / max) : 0;
  const level = share >= 0.9 ? 'high' : share >= 0.7 ? 'mid' : 'low';
  return (
    <div className="gauge" role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={max} aria-valuenow={used}>
      <div className="gauge-head">
        <span>{label}</span>
        <strong>
          {used} / {max}
        </strong>
      </div>
      <svg viewBox="0 0 100 8" preserveAspectRatio="none" className="gauge-bar" aria-hidden>
        <rect x="0" y="0" width="100" height="8" rx="4" className="gauge-track" />
        <rect x="0" y="0" width={Math.max(share * 100, used > 0 ? 1.5 : 0)} height="8" rx="4" className={`gauge-fill ${level}`} />
      </svg>
    </div>
  );
}

export default async function PoolsPage() {
  await requireOperator();
  const { pools, slugs, server } = await poolView();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Pools</h1>
          <p className="muted">
            Per-tenant pools of database tenants in this admin process, under their shared cap, and every client connection the server holds.
          </p>
        </div>
      </div>

      <section className="charts">
        <div className="panel">
          <Gauge used={pools.open} max={pools.maxConnections} label="This process: per-tenant pool connections / maxConnections" />
          <p className="muted small">
            {pools.pools.length} pool{pools.pools.length === 1 ? '' : 's'}, {pools.waiting} caller{pools.waiting === 1 ? '' : 's'} waiting for a connection.
            When the cap is reached, the least recently used idle pool is closed.
          </p>
        </div>
        <div className="panel">
          <Gauge used={server.total} max={server.maxConnections} label="Server: client connections / max_connections" />
          <p className="muted small">{server.reservedConnections} more are reserved for superusers.</p>
        </div>
      </section>

      <div className="panel table-panel">
        <h2 className="panel-title">Per-tenant pools (this process)</h2>
        <table className="table" data-testid="pools-table">
          <thead>
            <tr>
              <th>Tenant</th>
              <th className="num">Open</th>
              <th className="num">Idle</th>
              <th className="num">Checked out</th>
              <th>Last used</th>
            </tr>
          </thead>
          <tbody>
            {pools.pools.map((p) => (
              <tr key={p.key}>
                <td>
                  <code>{slugs.get(p.key) ?? p.key}</code>
                </td>
                <td className="num">{p.total}</td>
                <td className="num">{p.idle}</td>
                <td className="num">{p.checkedOut}</td>
                <td>{formatDate(p.lastUsed)}</td>
              </tr>
            ))}
            {pools.pools.length === 0 && (
              <tr>
                <td colSpan={5} className="empty">
                  No per-tenant pool open: this process has not served a database tenant since it started (or closed the pools as idle).
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <div className="panel table-panel">
        <h2 className="panel-title">Server connections by database and role</h2>
        <table className="table" data-testid="server-connections">
          <thead>
            <tr>
              <th>Database</th>
              <th>Role</th>
              <th>State</th>
              <th className="num">Connections</th>
            </tr>
          </thead>
          <tbody>
            {server.groups.map((g) => (
              <tr key={`${g.database}-${g.role}-${g.state}`}>
                <td>
                  <code>{g.database}</code>
                </td>
                <td>
                  <code>{g.role}</code>
                </td>
                <td>{g.state ?? <span className="muted">hidden</span>}</td>
                <td className="num">{g.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
