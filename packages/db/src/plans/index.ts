// The plans' server side: changing a plan (which moves the tenant) and reading the records. The plan names and
// their placements are in @repo/db/plans, which client code imports too.
export { changePlan, type PlanChangeOptions, type PlanChangeSummary } from './change';
export { planOf, readPlan, readPlans, recordPlan, type PlanRecord } from './records';
export { planStatus, type PlanStatus } from './status';
export { InvalidPlanError, PlanChangeBusyError } from './errors';
