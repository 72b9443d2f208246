import { z } from 'zod';

/** A server's name as TENANCY_SERVERS and the catalog spell it (the library's SERVER_NAME), checked before any connection. */
export const validServerName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,30}$/, 'is not a server name: a lowercase letter first, then lowercase letters, digits or _ (at most 31 characters)');
