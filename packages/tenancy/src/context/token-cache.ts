import { signContext, type ContextClaims } from './token';

/**
 * Signs each (tenant, user, role) once and reuses the token while it has more than a fifth of its
 * lifetime left: signing per call measurably costs throughput (DESIGN.md), and a reused token is no
 * weaker, since it only ever travels as a bind parameter inside its own transaction.
 */
export class TokenCache {
  /** Tokens by `tenant|user|role`, the oldest signed first. */
  private readonly tokens = new Map<string, { token: string; renewAt: number }>();

  constructor(
    private readonly key: Buffer,
    private readonly ttlSeconds: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(claims: Omit<ContextClaims, 'expiresAt'>): string {
    const cacheKey = `${claims.tenantId}|${claims.userId ?? ''}|${claims.role}`;
    const now = Date.now() / 1000;
    const hit = this.tokens.get(cacheKey);
    if (hit && hit.renewAt > now) return hit.token;
    const expiresAt = Math.floor(now) + this.ttlSeconds;
    const token = signContext({ ...claims, expiresAt }, this.key);
    // Re-inserted, so the Map's order is the order of signing and the first key the oldest token.
    this.tokens.delete(cacheKey);
    // Oldest first, one at a time: clearing all at once made every caller re-sign together. The oldest
    // is the nearest to its renewal anyway, so dropping it costs at most one early signature.
    while (this.tokens.size >= this.maxEntries) this.tokens.delete(this.tokens.keys().next().value!);
    this.tokens.set(cacheKey, { token, renewAt: now + this.ttlSeconds * 0.8 });
    return token;
  }

  forgetTenant(tenantId: string): void {
    for (const key of this.tokens.keys()) if (key.startsWith(`${tenantId}|`)) this.tokens.delete(key);
  }
}
