// Words for the UI, shared by server and client components.

export const STRATEGY_INFO = {
  rls: { label: 'Row-level security', tier: 'free / small', text: 'Rows in the shared tables, filtered by row-level security.' },
  schema: { label: 'Schema', tier: 'business', text: 'A schema of its own in the shared database, with its own role.' },
  database: { label: 'Database', tier: 'enterprise', text: 'A database of its own, cloned from a template, with its own login role.' },
} as const;

/** Lifecycle steps as the tenancy library names them (beforeStep), plus this app's own. */
export const STEP_LABELS: Record<string, string> = {
  catalog: 'Reserve the slug in the catalog',
  'schema.role': "Create the tenant's role",
  'schema.placement': 'Create the schema and its tables',
  'schema.grants': 'Grant the role its tables',
  'database.secret': "Store the tenant role's password (encrypted)",
  'database.role': "Create the tenant's login role",
  'database.create': 'Clone the tenant database from the template',
  'database.grants': 'Grant the role its database and tables',
  activate: 'Activate the tenant',
  'admin.user': 'Create the first admin and their membership',
};

export function stepLabel(step: string): string {
  return STEP_LABELS[step] ?? step;
}

/** What each step of a move does, in the order tenancy.moveTenant reports them (its onProgress steps). */
export const MOVE_STEPS = ['copy', 'pause', 'switch', 'cleanup'] as const;
export type MoveStepName = (typeof MOVE_STEPS)[number];

export const MOVE_STEP_LABELS: Record<MoveStepName, string> = {
  copy: 'Copy the rows to the new placement (the tenant keeps serving)',
  pause: 'Hold the tenant’s requests, wait out open transactions, carry over writes made during the copy',
  switch: 'Point the catalog at the new placement (requests resume)',
  cleanup: 'Remove the old placement',
};

/** The plans (@repo/db/plans), in words; each places a tenant in one strategy (PLAN_STRATEGY). */
export const PLAN_INFO = {
  free: { label: 'Free', text: 'Rows in the shared tables (rls).' },
  business: { label: 'Business', text: 'A schema of its own in the shared database.' },
  enterprise: { label: 'Enterprise', text: 'A database of its own, with its own login role.' },
} as const;
