import type { Metadata } from 'next';
import Link from 'next/link';
import type { Finding, Severity } from '@repo/tenancy';

import { formatDate } from '@/lib/format';
import { runAudit } from '@/server/queries/audit';
import { listTenants } from '@/server/queries/catalog';
import { planStatuses } from '@/server/queries/plans';
import { requireOperator } from '@/server/session';

export const metadata: Metadata = { title: 'Audit · Tenancy Operator Console' };

const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low'];

export default async function AuditPage() {
  await requireOperator();
  const report = await runAudit();
  // Plans are the app's, not the library's: the tenants not where their plan places them, each with the way to finish.
  const tenants = await listTenants();
  const plans = await planStatuses(tenants);
  const offPlan = tenants.flatMap((tenant) => {
    const status = plans.get(tenant.id)!;
    return status.matches ? [] : [{ tenant, status }];
  });
  const bySeverity = new Map<Severity, Finding[]>(SEVERITIES.map((s) => [s, report.findings.filter((f) => f.severity === s)]));
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit</h1>
          <p className="muted">
            Reads the catalogs of every placement for anything that would let one tenant reach another or make isolation slow. It changes nothing. Checked{' '}
            {report.placements} placement{report.placements === 1 ? '' : 's'} at {formatDate(report.checkedAt)}.
          </p>
        </div>
        <Link className="button" href="/audit" prefetch={false}>
          Run again
        </Link>
      </div>

      <section className="stats">
        {SEVERITIES.map((s) => (
          <div className="stat" key={s}>
            <span className="stat-label">
              <span className={`sev sev-${s}`}>{s}</span>
            </span>
            <span className="stat-value">{bySeverity.get(s)!.length}</span>
          </div>
        ))}
      </section>

      {offPlan.length > 0 && (
        <section className="panel table-panel" data-testid="audit-plans">
          <h2 className="panel-title">
            Plan and placement: {offPlan.length} tenant{offPlan.length === 1 ? ' is' : 's are'} not where {offPlan.length === 1 ? 'its' : 'their'} plan places{' '}
            {offPlan.length === 1 ? 'it' : 'them'}
          </h2>
          <table className="table">
            <thead>
              <tr>
                <th>Tenant</th>
                <th>Plan</th>
                <th>Placement</th>
                <th>Finding</th>
              </tr>
            </thead>
            <tbody>
              {offPlan.map(({ tenant, status }) => (
                <tr key={tenant.id} data-slug={tenant.slug}>
                  <td>
                    <Link href={`/tenants/${tenant.slug}`}>{tenant.slug}</Link>
                  </td>
                  <td>{status.plan}</td>
                  <td>
                    <span className={`pill strategy-${tenant.strategy}`}>{tenant.strategy}</span>
                  </td>
                  <td>
                    {status.pendingPlan
                      ? `A change to ${status.pendingPlan} did not finish. `
                      : `Its plan places it in ${status.expected}: it was moved or restored without its plan. `}
                    <Link href={`/tenants/${tenant.slug}`}>Finish it on its page</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {report.findings.length === 0 ? (
        <div className="panel all-clear" data-testid="audit-clear">
          <span className="check" aria-hidden>
            ✓
          </span>
          <div>
            <h2>No findings</h2>
            <p className="muted">Every check passed: the deployment is safe by every rule this audit knows.</p>
          </div>
        </div>
      ) : (
        SEVERITIES.filter((s) => bySeverity.get(s)!.length > 0).map((s) => (
          <section key={s} className="panel table-panel" data-testid={`audit-${s}`}>
            <h2 className="panel-title">
              <span className={`sev sev-${s}`}>{s}</span> {bySeverity.get(s)!.length} finding{bySeverity.get(s)!.length === 1 ? '' : 's'}
            </h2>
            <table className="table">
              <thead>
                <tr>
                  <th>Check</th>
                  <th>Object</th>
                  <th>Tenant</th>
                  <th>Finding</th>
                </tr>
              </thead>
              <tbody>
                {bySeverity.get(s)!.map((f, i) => (
                  <tr key={`${f.code}-${f.object}-${i}`}>
                    <td>
                      <code>{f.code}</code>
                    </td>
                    <td>
                      <code>{f.object}</code>
                    </td>
                    <td>{f.tenant ? <code>{f.tenant}</code> : <span className="muted">—</span>}</td>
                    <td>{f.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))
      )}
    </>
  );
}
