import { signContext, type ContextClaims } from './token';

/**
 * Signs each (tenant, user, role) once and reuses the token while it has more than a fifth of its
 * lifetime left: signing per call measurably costs throughput (DESIGN.md), and a reused token is no
 * weaker, since it only ever travels as a bind parameter inside its own transaction.
 */
export class TokenCache {
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
    if (this.tokens.size >= this.maxEntries) this.tokens.clear();
    this.tokens.set(cacheKey, { token, renewAt: now + this.ttlSeconds * 0.8 });
    return token;
  }

  forgetTenant(tenantId: string): void {
    for (const key of this.tokens.keys()) if (key.startsWith(`${tenantId}|`)) this.tokens.delete(key);
  }
}
