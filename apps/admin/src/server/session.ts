import 'server-only';

import { getServerSession } from 'next-auth';
import { redirect } from 'next/navigation';
import { cache } from 'react';

import { OPERATOR_KIND, SIGN_IN_PATH } from './auth/config';
import { authOptions } from './auth/options';
import { operatorQuery } from './operator-db';

export interface Operator {
  id: string;
  email: string;
  name: string;
}

/**
 * The signed-in operator, once per request: a valid session cookie of this app carrying the operator claim,
 * whose operator still exists (a removed operator loses access at the next request, not when the cookie expires).
 */
export const getOperator = cache(async (): Promise<Operator | null> => {
  const session = (await getServerSession(authOptions())) as { claims?: { sub?: string; kind?: unknown } } | null;
  const claims = session?.claims;
  if (claims?.kind !== OPERATOR_KIND || typeof claims.sub !== 'string') return null;
  const rows = await operatorQuery<Operator>('SELECT id, email, name FROM public.operators WHERE id = $1', [claims.sub]);
  return rows[0] ?? null;
});

/** For pages and server actions: the operator, or a redirect to the sign-in page. */
export async function requireOperator(): Promise<Operator> {
  const operator = await getOperator();
  if (!operator) redirect(SIGN_IN_PATH);
  return operator;
}
