import { STRATEGIES, type StrategyName, type Tenant } from '../catalog/types';
import { ServerUnavailableError } from '../errors';
import type { Parts } from '../parts';
import { explainUnreachable } from '../servers/unreachable';
import { quoteIdent } from '../sql/ident';

/**
 * Where a tenant could be besides where it is, and what a move there leaves behind: moveTenant builds its target with
 * `placed`, removes the old placement with what `keeps` says, and `undo` removes what an abandoned move left anywhere.
 */
export function moveLeftovers(parts: Pick<Parts, 'config' | 'servers'>) {
  const { config, servers } = parts;
  const strategyOf = (tenant: Tenant) => servers.strategyOf(tenant);

  function placed(tenant: Tenant, strategy: StrategyName, server: string): Tenant {
    return { ...tenant, strategy, server, ...servers.strategyOf({ strategy, server }).placementFor(tenant.slug) };
  }

  /** What the old placement's removal keeps: the role when the new placement (same server) uses it, the secret when a database tenant's does. */
  function keeps(old: Tenant, placement: Tenant): { keepRole: boolean; keepSecret: boolean } {
    return {
      keepRole: old.server === placement.server && old.roleName !== null && old.roleName === placement.roleName,
      keepSecret: placement.strategy === 'database',
    };
  }

  /**
   * moveTenant(key, <where it is>): removes what an abandoned move to another strategy or server left behind. A server
   * that cannot be reached is left for later: the others are cleaned, then the call fails naming it.
   */
  async function undo(tenant: Tenant): Promise<void> {
    let unreachable: unknown;
    for (const server of servers.all) {
      // A database first: its removal takes the role its tables' grants depend on, which a schema's removal could not drop.
      for (const other of [...STRATEGIES].reverse()) {
        if (other === tenant.strategy && server.name === tenant.server) continue;
        if (!server.strategies[other]) continue;
        const leftover = placed(tenant, other, server.name);
        try {
          if (!(await holdsCopy(leftover, tenant))) continue;
          await strategyOf(leftover).destroy(leftover, keeps(leftover, tenant));
        } catch (error) {
          const explained = explainUnreachable(error, server.name);
          if (!(explained instanceof ServerUnavailableError)) throw error;
          unreachable ??= explained;
        }
      }
    }
    if (unreachable) throw unreachable;
    // A move to a database killed after storing the password, before making the role: nothing else holds it.
    if (tenant.strategy !== 'database' && config.secrets && (await config.secrets.get(tenant.slug)) !== undefined) await config.secrets.delete(tenant.slug);
  }

  /**
   * Whether a placement the tenant is not in holds anything of it: shared-table rows, a schema or a database, or the
   * role its provisioning makes first (a move killed before the schema or database).
   */
  async function holdsCopy(leftover: Tenant, tenant: Tenant): Promise<boolean> {
    const admin = servers.get(leftover.server).deployment.admin();
    if (await strayRole(leftover, tenant)) return true;
    if (leftover.strategy === 'database') return (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [leftover.databaseName])).rowCount === 1;
    if (leftover.strategy === 'schema') return (await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [leftover.schemaName])).rowCount === 1;
    return strategyOf(leftover).inPlacement(leftover, async (client) => {
      for (const table of config.tenantTables) {
        const { rowCount } = await client.query(`SELECT 1 FROM ${quoteIdent(leftover.schemaName)}.${quoteIdent(table)} WHERE tenant_id = $1 LIMIT 1`, [
          leftover.id,
        ]);
        if (rowCount) return true;
      }
      return false;
    });
  }

  /**
   * Whether the leftover's role is there with what its provisioning gave it. Another server's role, or another name, is
   * the leftover's alone. The tenant's own role (same name, same server: schema and database share it) is a leftover's
   * only in what that strategy adds: a login for a database, app_user's membership for a schema.
   */
  async function strayRole(leftover: Tenant, tenant: Tenant): Promise<boolean> {
    if (!leftover.roleName) return false;
    const server = servers.get(leftover.server).deployment;
    const { rows } = await server.admin().query<{ login: boolean; member: boolean }>(
      `SELECT r.rolcanlogin AS login,
              EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles u ON u.oid = m.member WHERE m.roleid = r.oid AND u.rolname = $2) AS member
         FROM pg_roles r WHERE r.rolname = $1`,
      [leftover.roleName, server.appRole],
    );
    const role = rows[0];
    if (!role) return false;
    if (!keeps(leftover, tenant).keepRole) return true;
    return leftover.strategy === 'database' ? role.login : role.member;
  }

  return { placed, keeps, undo };
}
