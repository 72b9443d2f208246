import type { Metadata } from 'next';

import { ServerStateButtons } from '@/components/server-state-buttons';
import { formatBytes, formatCount } from '@/lib/format';
import { listServers } from '@/server/servers';
import { requireOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Servers · Tenancy Operator Console' };

const STATE_TEXT = {
  open: 'takes new tenants',
  drained: 'serves its tenants, takes no new ones',
  read_only: 'its tenants’ transactions are read-only',
} as const;

export default async function ServersPage() {
  await requireOperator();
  const servers = await listServers();
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Servers</h1>
          <p className="muted">
            The deployment&apos;s PostgreSQL servers: the primary holds the catalog and shared tables; a server with shared tables (a shard) holds rls tenants
            too. New tenants are placed on the open server with the fewest tenants that can hold them (TENANCY_PLACEMENT) unless one is named. Move a tenant
            between servers from its page.
          </p>
        </div>
      </div>

      <div className="panel table-panel">
        <table className="table" data-testid="servers-table">
          <thead>
            <tr>
              <th>Server</th>
              <th>Holds</th>
              <th>State</th>
              <th className="num">Tenants</th>
              <th className="num">Size</th>
              <th>Reachable</th>
              <th className="num">Pool connections</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {servers.map((s) => (
              <tr key={s.name} data-server={s.name}>
                <td>
                  <code>{s.name}</code>
                  {s.primary && <div className="sub">primary</div>}
                </td>
                <td data-col="holds" title="rls tenants need shared tables; schema and database tenants go on any server">
                  {s.sharedTables ? 'every strategy' : 'schema, database'}
                  {s.sharedTables && <div className="sub">shared tables</div>}
                </td>
                <td data-col="state">
                  <span className={`status server-${s.state}`}>{s.state.replace('_', '-')}</span>
                  <div className="sub">{STATE_TEXT[s.state]}</div>
                </td>
                <td className="num" data-col="tenants">
                  {formatCount(s.tenants)}
                </td>
                <td className="num" data-col="size" title="The deployment's databases on this server (pg_database_size)">
                  {formatBytes(s.bytes)}
                </td>
                <td data-col="reachable">{s.reachable ? 'yes' : <span title={s.error}>no{s.error ? `: ${s.error.slice(0, 120)}` : ''}</span>}</td>
                <td className="num" data-col="pools" title="This process's per-tenant pool connections on this server / its cap">
                  {s.pools.open} / {s.pools.maxConnections}
                </td>
                <td className="actions">
                  <ServerStateButtons name={s.name} state={s.state} primary={s.primary} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <section className="notes">
        <h2>States</h2>
        <ul>
          <li>
            <strong>open</strong> — new tenants may be placed here (rls tenants only where there are shared tables).
          </li>
          <li>
            <strong>drained</strong> — its tenants keep serving; no new tenant is placed here and no move targets it. Move its tenants away, then retire it.
          </li>
          <li>
            <strong>read-only</strong> — for maintenance: its tenants&apos; transactions run read-only from each process&apos;s next catalog renewal. Not the
            primary, which every request needs.
          </li>
        </ul>
      </section>
    </>
  );
}
