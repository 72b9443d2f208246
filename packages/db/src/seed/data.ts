import type { MembershipRole, TaskStatus } from '../schema/index';
import { seedId } from './ids';

export interface SeedTenant {
  id: string;
  slug: string;
  name: string;
  strategy: 'rls' | 'schema' | 'database';
  projects: string[];
}

export interface SeedUser {
  id: string;
  email: string;
  name: string;
  password: string;
  memberships: { tenant: string; role: MembershipRole }[];
}

export const DEMO_PASSWORD = 'demo-password';
export const OPERATOR_PASSWORD = 'operator-password';

const tenant = (slug: string, name: string, strategy: SeedTenant['strategy'], projects: string[]): SeedTenant => ({
  id: seedId(`tenant:${slug}`),
  slug,
  name,
  strategy,
  projects,
});

export const SEED_TENANTS: SeedTenant[] = [
  tenant('acme', 'Acme Corp', 'rls', ['Website relaunch', 'Mobile app', 'Q3 marketing', 'Hiring plan', 'Office move', 'Security audit']),
  tenant('globex', 'Globex', 'rls', ['Billing migration', 'Customer portal', 'Data warehouse', 'Partner API', 'Support rota']),
  tenant('initech', 'Initech', 'rls', ['TPS reports', 'Printer replacement', 'Y2K follow-up', 'Cost cutting']),
  tenant('hooli', 'Hooli', 'schema', ['Nucleus compression', 'Box appliance', 'Hooli XYZ', 'Signature edition']),
  tenant('umbrella', 'Umbrella Corp', 'database', ['Lab inventory', 'Compliance review', 'Raccoon City office']),
];

const user = (email: string, name: string, memberships: SeedUser['memberships']): SeedUser => ({
  id: seedId(`user:${email}`),
  email,
  name,
  password: DEMO_PASSWORD,
  memberships,
});

export const SEED_USERS: SeedUser[] = [
  // Each tenant's first user is its owner. Alice belongs to two tenants, to show the tenant switcher.
  user('alice@acme.test', 'Alice Admin', [
    { tenant: 'acme', role: 'owner' },
    { tenant: 'initech', role: 'member' },
  ]),
  user('bob@acme.test', 'Bob Member', [{ tenant: 'acme', role: 'member' }]),
  user('carol@acme.test', 'Carol Viewer', [{ tenant: 'acme', role: 'viewer' }]),
  user('gina@globex.test', 'Gina Admin', [{ tenant: 'globex', role: 'owner' }]),
  user('hank@globex.test', 'Hank Member', [{ tenant: 'globex', role: 'member' }]),
  user('ivy@globex.test', 'Ivy Viewer', [{ tenant: 'globex', role: 'viewer' }]),
  user('peter@initech.test', 'Peter Admin', [{ tenant: 'initech', role: 'owner' }]),
  user('michael@initech.test', 'Michael Member', [{ tenant: 'initech', role: 'member' }]),
  user('samir@initech.test', 'Samir Viewer', [{ tenant: 'initech', role: 'viewer' }]),
  user('richard@hooli.test', 'Richard Admin', [{ tenant: 'hooli', role: 'owner' }]),
  user('dinesh@hooli.test', 'Dinesh Member', [{ tenant: 'hooli', role: 'member' }]),
  user('gilfoyle@hooli.test', 'Gilfoyle Viewer', [{ tenant: 'hooli', role: 'viewer' }]),
  user('albert@umbrella.test', 'Albert Admin', [{ tenant: 'umbrella', role: 'owner' }]),
  user('jill@umbrella.test', 'Jill Member', [{ tenant: 'umbrella', role: 'member' }]),
  user('chris@umbrella.test', 'Chris Viewer', [{ tenant: 'umbrella', role: 'viewer' }]),
];

/** The dev operator: added by `npm run dev` (seedDevOperator) when there is none; not in init.sql, not in Docker. */
export const SEED_OPERATORS: readonly [{ id: string; email: string; name: string; password: string }] = [
  { id: seedId('operator:ops'), email: 'ops@tenancy.test', name: 'Olivia Operator', password: OPERATOR_PASSWORD },
];

export const TASK_TITLES = ['Write the brief', 'Collect estimates', 'Review with the team', 'Fix open issues', 'Ship it', 'Retrospective'];
export const STATUS_CYCLE: TaskStatus[] = ['todo', 'doing', 'done'];
