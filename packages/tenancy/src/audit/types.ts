export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface Finding {
  severity: Severity;
  /** Stable identifier of the check, e.g. "rls-not-forced". */
  code: string;
  message: string;
  /** What the finding is about: a table, role, database or tenant. */
  object: string;
  /** The tenant concerned, when there is one. */
  tenant?: string;
  /** The server it was found on, when that is not the primary. */
  server?: string;
}

export interface AuditReport {
  findings: Finding[];
  checkedAt: string;
  /** Placements inspected: the shared schema, templates, every tenant schema and database. */
  placements: number;
}
