import { createHash, createHmac } from 'node:crypto';
import { quoted, TenantContextError } from '../errors';
import { isUuid } from '../sql/ident';

/** The claims a context token carries; the SQL functions trust nothing else. */
export interface ContextClaims {
  tenantId: string;
  userId?: string | undefined;
  role: string;
  /** Unix seconds after which the database treats the token as absent. */
  expiresAt: number;
}

/** A role as a context token carries it. */
export const ROLE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
const BLOCK_SIZE = 64;

/**
 * The HMAC key is a hash of the configured secret, so secrets of any length give a 32-byte key
 * and the database never stores the secret itself.
 */
export function deriveKey(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * HMAC-SHA256 split into its inner and outer pads: PostgreSQL's built-in sha256() can then verify
 * tokens without pgcrypto, which managed servers do not always let you install.
 */
export function hmacPads(key: Buffer): { ipad: Buffer; opad: Buffer } {
  const block = Buffer.alloc(BLOCK_SIZE);
  key.copy(block);
  const ipad = Buffer.alloc(BLOCK_SIZE);
  const opad = Buffer.alloc(BLOCK_SIZE);
  for (let i = 0; i < BLOCK_SIZE; i++) {
    ipad[i] = block[i]! ^ 0x36;
    opad[i] = block[i]! ^ 0x5c;
  }
  return { ipad, opad };
}

export function signContext(claims: ContextClaims, key: Buffer): string {
  // typeof first: a regex test turns what it is given into a string, and would pass undefined as the role "undefined".
  if (typeof claims.tenantId !== 'string' || !isUuid(claims.tenantId)) throw new TenantContextError(`Tenant id ${quoted(claims.tenantId)} is not a uuid.`);
  if (claims.userId !== undefined && (typeof claims.userId !== 'string' || !isUuid(claims.userId))) {
    throw new TenantContextError(`userId ${quoted(claims.userId)} is not a uuid: pass the control-plane user id.`);
  }
  if (typeof claims.role !== 'string' || !ROLE_PATTERN.test(claims.role)) {
    throw new TenantContextError(`role ${quoted(claims.role)} is not a valid role name (lowercase letters, digits, _).`);
  }
  const payload = ['v1', claims.tenantId.toLowerCase(), claims.userId?.toLowerCase() ?? '-', claims.role, String(claims.expiresAt)].join('.');
  const signature = createHmac('sha256', key).update(payload, 'utf8').digest('hex');
  return `${payload}.${signature}`;
}

/** What a lookup function may be asked for with a proof: a tenant's catalog row, a tenant's secret, the catalog's version. */
export type ProofPurpose = 'resolve' | 'secret' | 'catalog';

export interface Proof {
  expires: number;
  signature: string;
}

/**
 * A short-lived proof that the library itself asks for `subject` (a slug, an id, a secret name):
 * the lookup functions answer only with one, so SQL running as the app role cannot look up another
 * tenant. It travels as bind parameters only.
 */
export function signProof(purpose: ProofPurpose, subject: string, key: Buffer, ttlSeconds = 60): Proof {
  const expires = Math.floor(Date.now() / 1000) + ttlSeconds;
  const signature = createHmac('sha256', key).update(`${purpose}.${subject}.${expires}`, 'utf8').digest('hex');
  return { expires, signature };
}
