import type { Tenant } from './types';

/**
 * Cached catalog entries by tenant, found by id or by slug, at most `capacity` tenants: the least
 * recently used is dropped to make room. Unbounded, a process serving 100,000 tenants over a day
 * would hold every one it ever served; dropped, an entry is only looked up again.
 */
export class TenantCache<Entry extends { tenant: Tenant }> {
  /** Entries by tenant id, oldest use first (a Map keeps insertion order; a use re-inserts). */
  private readonly entries = new Map<string, Entry>();
  /** Tenant id by the keys callers use, the id and the slug. */
  private readonly ids = new Map<string, string>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Entry | undefined {
    const id = this.ids.get(key);
    if (id === undefined) return undefined;
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry;
  }

  set(entry: Entry): void {
    const { id, slug } = entry.tenant;
    this.drop(id);
    this.entries.set(id, entry);
    this.ids.set(id, id);
    this.ids.set(slug, id);
    while (this.entries.size > this.capacity) this.drop(this.entries.keys().next().value!);
  }

  /** Forgets the tenant's entry, whichever key it was stored under. */
  delete(tenant: Pick<Tenant, 'id' | 'slug'>): void {
    this.drop(tenant.id);
    // A slug may point at an entry of another id (a tenant deleted and made again under its slug).
    const other = this.ids.get(tenant.slug);
    if (other !== undefined) this.drop(other);
  }

  clear(): void {
    this.entries.clear();
    this.ids.clear();
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    this.entries.delete(id);
    this.ids.delete(id);
    if (entry && this.ids.get(entry.tenant.slug) === id) this.ids.delete(entry.tenant.slug);
  }
}
