import 'server-only';

import type { AuditReport } from '@repo/tenancy';

import { tenancy } from '../tenancy';

/** tenancy.audit(): reads every placement's catalogs (with the owner connection, as the library does); changes nothing. */
export function runAudit(): Promise<AuditReport> {
  return tenancy().audit();
}
