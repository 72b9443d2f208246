import 'server-only';

import { clientAddress } from '@repo/auth/client-address';
import { headers } from 'next/headers';

import { serverEnv } from '@/env';

/** The client's address for the sign-up and reset limits, as the sign-in limits read it (TRUST_PROXY). */
export async function requestAddress(): Promise<string> {
  return clientAddress(await headers(), serverEnv().TRUST_PROXY);
}
