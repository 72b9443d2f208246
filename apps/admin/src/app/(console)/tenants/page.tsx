import type { Metadata } from 'next';
import Link from 'next/link';
import { STRATEGIES, TENANT_STATUSES, type StrategyName, type TenantStatus } from '@repo/tenancy';

import { BarChart, STRATEGY_COLORS } from '@/components/charts/bar-chart';
import { PlanBadge } from '@/components/plan-badge';
import { formatBytes, formatCount, formatDate } from '@/lib/format';
import { STRATEGY_INFO } from '@/lib/labels';
import { SORT_KEYS, tenantOverview, type SizeBasis, type SortKey, type TenantOverviewRow } from '@/server/queries/tenant-overview';
import { requireOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Tenants · Tenancy Operator Console' };

type SearchParams = Record<string, string | string[] | undefined>;

interface View {
  strategy?: StrategyName | undefined;
  status?: TenantStatus | undefined;
  sort: SortKey;
  dir: 'asc' | 'desc';
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseView(params: SearchParams): View {
  const strategy = one(params.strategy);
  const status = one(params.status);
  const sort = one(params.sort);
  return {
    strategy: (STRATEGIES as readonly string[]).includes(strategy ?? '') ? (strategy as StrategyName) : undefined,
    status: (TENANT_STATUSES as readonly string[]).includes(status ?? '') ? (status as TenantStatus) : undefined,
    sort: (SORT_KEYS as readonly string[]).includes(sort ?? '') ? (sort as SortKey) : 'created',
    dir: one(params.dir) === 'desc' ? 'desc' : 'asc',
  };
}

function href(view: View, change: Partial<View>): string {
  const next = { ...view, ...change };
  const params = new URLSearchParams();
  if (next.strategy) params.set('strategy', next.strategy);
  if (next.status) params.set('status', next.status);
  if (next.sort !== 'created') params.set('sort', next.sort);
  if (next.dir !== 'asc') params.set('dir', next.dir);
  const query = params.toString();
  return query ? `/tenants?${query}` : '/tenants';
}

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: 'slug', label: 'Tenant' },
  { key: 'plan', label: 'Plan' },
  { key: 'strategy', label: 'Strategy' },
  { key: 'server', label: 'Server' },
  { key: 'status', label: 'Status' },
  { key: 'created', label: 'Created' },
  { key: 'version', label: 'Schema version' },
  { key: 'size', label: 'Size', numeric: true },
  { key: 'rows', label: 'Rows', numeric: true },
  { key: 'connections', label: 'Connections', numeric: true },
];

const SIZE_NOTE = {
  database: 'pg_database_size: the whole tenant database, system catalogs included',
  schema: 'every table, index and TOAST table in the tenant schema',
  rows: 'bytes of the tenant’s rows in the shared tables (sum of pg_column_size), without indexes or page overhead',
} as const satisfies Record<SizeBasis, string>;

/**
 * One size chart per way of measuring, each on its own scale: a whole database (several MB of catalogs even when
 * empty) next to one tenant's row bytes on one axis would make the rls tenants look empty and compare things that
 * are not the same quantity.
 */
const SIZE_CHARTS: { basis: SizeBasis; title: string }[] = [
  { basis: 'database', title: 'Database tenants: whole database' },
  { basis: 'schema', title: 'Schema tenants: schema on disk' },
  { basis: 'rows', title: 'rls tenants: row data in the shared tables' },
];
const SIZE_CHART_BARS = 10;

export default async function TenantsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requireOperator();
  const view = parseView(await searchParams);
  const overview = await tenantOverview(view);
  const bySize = [...overview.all].filter((r) => r.sizeBytes !== null).sort((a, b) => (b.sizeBytes ?? 0) - (a.sizeBytes ?? 0));
  const sizeCharts = SIZE_CHARTS.map((chart) => ({ ...chart, rows: bySize.filter((r) => r.sizeBasis === chart.basis) })).filter(
    (chart) => chart.rows.length > 0,
  );

  return (
    <>
      <div className="page-head">
        <div>
          <h1>Tenants</h1>
          <p className="muted">
            {overview.all.length} tenant{overview.all.length === 1 ? '' : 's'} in database <code>{overview.deploymentDatabase}</code>
          </p>
        </div>
        <div className="form-actions">
          <Link className="button" href="/tenants/restore">
            Restore from archive
          </Link>
          <Link className="button button-primary" href="/tenants/new">
            Create tenant
          </Link>
        </div>
      </div>

      <section className="stats">
        {STRATEGIES.map((s) => (
          <div className="stat" key={s}>
            <span className="stat-label">
              <span className="dot" style={{ background: STRATEGY_COLORS[s] }} /> {s}
            </span>
            <span className="stat-value">{overview.perStrategy[s]}</span>
            <span className="stat-note">{STRATEGY_INFO[s].tier}</span>
          </div>
        ))}
        <div className="stat">
          <span className="stat-label">Shared tables</span>
          <span className="stat-value">{formatBytes(overview.sharedTablesBytes)}</span>
          <span className="stat-note">on disk, all rls tenants</span>
        </div>
        <div className="stat">
          <span className="stat-label">Server connections</span>
          <span className="stat-value">
            {overview.connections.total}
            <small> / {overview.connections.maxConnections}</small>
          </span>
          <span className="stat-note">{overview.connections.deploymentDatabase} to the shared database</span>
        </div>
      </section>

      <section className="charts">
        <figure className="panel chart-panel">
          <figcaption>Tenants per strategy</figcaption>
          <BarChart
            label="Tenants per strategy"
            bars={STRATEGIES.map((s) => ({ label: s, value: overview.perStrategy[s], display: String(overview.perStrategy[s]), color: STRATEGY_COLORS[s] }))}
          />
        </figure>
        {sizeCharts.map((chart) => {
          const shown = chart.rows.slice(0, SIZE_CHART_BARS);
          return (
            <figure className="panel chart-panel" key={chart.basis}>
              <figcaption>
                {chart.title}
                {chart.rows.length > shown.length ? ` (largest ${shown.length} of ${chart.rows.length})` : ''}
                <span className="chart-note">{SIZE_NOTE[chart.basis]}</span>
              </figcaption>
              <BarChart
                label={`Size: ${chart.title}`}
                bars={shown.map((r) => ({
                  label: r.tenant.slug,
                  value: r.sizeBytes ?? 0,
                  display: formatBytes(r.sizeBytes),
                  color: STRATEGY_COLORS[r.tenant.strategy],
                  title: `${r.tenant.slug} (${r.tenant.strategy}): ${formatBytes(r.sizeBytes)}, ${SIZE_NOTE[r.sizeBasis]}`,
                }))}
              />
            </figure>
          );
        })}
        {sizeCharts.length === 0 && (
          <figure className="panel chart-panel">
            <figcaption>Size</figcaption>
            <p className="muted">No sizes yet.</p>
          </figure>
        )}
      </section>

      <section className="filters" aria-label="Filters">
        <div className="chips" role="group" aria-label="Strategy">
          <span className="chips-label">Strategy</span>
          <Link className={!view.strategy ? 'chip active' : 'chip'} href={href(view, { strategy: undefined })}>
            all
          </Link>
          {STRATEGIES.map((s) => (
            <Link key={s} className={view.strategy === s ? 'chip active' : 'chip'} href={href(view, { strategy: s })}>
              {s}
            </Link>
          ))}
        </div>
        <div className="chips" role="group" aria-label="Status">
          <span className="chips-label">Status</span>
          <Link className={!view.status ? 'chip active' : 'chip'} href={href(view, { status: undefined })}>
            all
          </Link>
          {TENANT_STATUSES.map((s) => (
            <Link key={s} className={view.status === s ? 'chip active' : 'chip'} href={href(view, { status: s })}>
              {s}
            </Link>
          ))}
        </div>
      </section>

      <div className="panel table-panel">
        <table className="table" data-testid="tenants-table">
          <thead>
            <tr>
              {COLUMNS.map((col) => {
                const active = view.sort === col.key;
                const dir = active && view.dir === 'asc' ? 'desc' : 'asc';
                return (
                  <th
                    key={col.key}
                    className={col.numeric ? 'num' : undefined}
                    aria-sort={active ? (view.dir === 'asc' ? 'ascending' : 'descending') : undefined}
                  >
                    <Link href={href(view, { sort: col.key, dir })} className={active ? 'sort active' : 'sort'}>
                      {col.label}
                      <span className="sort-mark" aria-hidden>
                        {active ? (view.dir === 'asc' ? '▲' : '▼') : '↕'}
                      </span>
                    </Link>
                  </th>
                );
              })}
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {overview.rows.map((row) => (
              <TenantRow key={row.tenant.id} row={row} />
            ))}
            {overview.rows.length === 0 && (
              <tr>
                <td colSpan={COLUMNS.length + 1} className="empty">
                  No tenants match these filters.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>

      <section className="notes">
        <h2>How the numbers are measured</h2>
        <ul>
          <li>
            <strong>Size</strong> — database tenants: {SIZE_NOTE.database} (an empty one still holds several MB); schema tenants: {SIZE_NOTE.schema}; rls
            tenants share tables, so theirs is the {SIZE_NOTE.rows}. The shared tables take {formatBytes(overview.sharedTablesBytes)} on disk in total.
          </li>
          <li>
            <strong>Rows</strong> are counted inside each tenant’s own context (as a viewer of that tenant, under row-level security), the path a tenant request
            takes.
          </li>
          <li>
            <strong>Connections</strong> — database tenants: server connections to their database. rls and schema tenants are served by the shared app_user
            pool: <em>shared</em>.
          </li>
          <li>
            <strong>On another server</strong> — a schema or database tenant placed on a server other than the primary shows <em>on &lt;server&gt;</em>: its
            size and connections are that server&apos;s, on the Servers page.
          </li>
        </ul>
      </section>
    </>
  );
}

const ELSEWHERE_NOTE = "Its schema or database is on another server: that server's sizes and connections are on the Servers page";

function TenantRow({ row }: { row: TenantOverviewRow }) {
  const { tenant } = row;
  // Parents first (the tenancy config lists children first, the order rows are deleted in).
  const tables = row.rows ? Object.entries(row.rows.tables).reverse() : [];
  return (
    <tr data-slug={tenant.slug}>
      <td>
        <Link className="tenant-name" href={`/tenants/${tenant.slug}`}>
          {tenant.name}
        </Link>
        <code className="tenant-slug">{tenant.slug}</code>
      </td>
      <td data-col="plan">
        <PlanBadge status={row.plan} />
      </td>
      <td>
        <span className={`pill strategy-${tenant.strategy}`}>{tenant.strategy}</span>
      </td>
      <td data-col="server">
        <code>{tenant.server}</code>
        {tenant.serverState !== 'open' && <div className="sub">{tenant.serverState.replace('_', '-')}</div>}
      </td>
      <td>
        <span className={`status status-${tenant.status}`}>{tenant.status}</span>
      </td>
      <td className="nowrap">
        {formatDate(tenant.createdAt).slice(0, 10)}
        <div className="sub">{formatDate(tenant.createdAt).slice(11)}</div>
      </td>
      <td>
        <code>{tenant.schemaVersion ?? '—'}</code>
      </td>
      <td className="num" data-col="size" title={row.elsewhere ? ELSEWHERE_NOTE : SIZE_NOTE[row.sizeBasis]}>
        {row.elsewhere ? <span className="muted">on {tenant.server}</span> : formatBytes(row.sizeBytes)}
        <div className="sub">{row.sizeBasis === 'rows' ? 'row data' : row.sizeBasis}</div>
      </td>
      <td className="num" data-col="rows" title={row.rowsError ?? undefined}>
        {row.rows ? formatCount(row.rows.total) : row.rowsError ? 'error' : '—'}
        {row.rows && <div className="sub wrap">{tables.map(([t, n]) => `${n} ${t}`).join(' · ')}</div>}
      </td>
      <td className="num" data-col="connections">
        {row.elsewhere ? (
          <span className="muted" title={ELSEWHERE_NOTE}>
            on {tenant.server}
          </span>
        ) : row.connections === null ? (
          <span className="muted" title="Served by the shared app_user pool">
            shared
          </span>
        ) : (
          row.connections
        )}
      </td>
      <td className="actions">
        <Link className="button button-danger-ghost button-small" href={`/tenants/${tenant.slug}/delete`} aria-label={`Delete ${tenant.slug}`}>
          Delete
        </Link>
      </td>
    </tr>
  );
}
