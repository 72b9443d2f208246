import { DEMO_PASSWORD, OPERATOR_PASSWORD, SEED_OPERATORS, SEED_USERS } from './data';

/** What `npm run dev` prints and the README lists: every seeded account and its password. */
export const SEED_LOGINS: { app: 'web' | 'admin'; email: string; password: string; note: string }[] = [
  ...SEED_USERS.map((u) => ({
    app: 'web' as const,
    email: u.email,
    password: DEMO_PASSWORD,
    note: u.memberships.map((m) => `${m.role} of ${m.tenant}`).join(', '),
  })),
  ...SEED_OPERATORS.map((o) => ({ app: 'admin' as const, email: o.email, password: OPERATOR_PASSWORD, note: 'operator' })),
];
