// The plan changes' own errors. Each sets its name explicitly: the admin app tells errors apart by name (a Next
// bundle may hold a second copy of this module), and the CLI maps them to exit codes.

/** A plan name that is not one of PLANS: refused before anything is read or written. */
export class InvalidPlanError extends Error {
  override readonly name = 'InvalidPlanError';
  constructor(readonly plan: unknown) {
    super(`Unknown plan ${JSON.stringify(plan)}: choose free, business or enterprise.`);
  }
}

/** Another call (another window, another process) is changing this tenant's plan right now. */
export class PlanChangeBusyError extends Error {
  override readonly name = 'PlanChangeBusyError';
  constructor(readonly tenant: string) {
    super(`The plan of "${tenant}" is being changed by another call right now: wait for it to finish, then look again.`);
  }
}
