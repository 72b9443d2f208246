import type pg from 'pg';
import { hmacPads } from '../context/token';

export interface KeyChange {
  key: Buffer;
  /**
   * How long a replaced key still verifies (seconds): tokens signed by processes not yet restarted
   * with the new secret keep working that long. 0 refuses them at once.
   */
  overlapSeconds: number;
  /** When the stored key is already this one: also cut an overlap still running to overlapSeconds from now. */
  endOverlap: boolean;
}

/**
 * Stores the context key in the database `client` is connected to (inside the caller's
 * transaction, as the owner). The key material travels as bind parameters only. Returns whether
 * the stored key changed.
 */
export async function writeContextKey(client: pg.ClientBase, change: KeyChange): Promise<boolean> {
  const { ipad, opad } = hmacPads(change.key);
  const { rows } = await client.query<{ ipad: Buffer; opad: Buffer }>('SELECT ipad, opad FROM tenancy.context_key WHERE id = 1');
  const stored = rows[0];
  if (stored && stored.ipad.equals(ipad) && stored.opad.equals(opad)) {
    if (change.endOverlap) await limitOverlap(client, change.overlapSeconds);
    return false;
  }
  if (stored && change.overlapSeconds > 0) {
    await client.query(
      `INSERT INTO tenancy.context_key_previous (id, ipad, opad, valid_until) VALUES (1, $1, $2, now() + make_interval(secs => $3))
       ON CONFLICT (id) DO UPDATE SET ipad = excluded.ipad, opad = excluded.opad, valid_until = excluded.valid_until`,
      [stored.ipad, stored.opad, change.overlapSeconds],
    );
  } else {
    await client.query('DELETE FROM tenancy.context_key_previous');
  }
  await client.query(
    `INSERT INTO tenancy.context_key (id, ipad, opad) VALUES (1, $1, $2)
     ON CONFLICT (id) DO UPDATE SET ipad = excluded.ipad, opad = excluded.opad`,
    [ipad, opad],
  );
  return true;
}

async function limitOverlap(client: pg.ClientBase, overlapSeconds: number): Promise<void> {
  if (overlapSeconds === 0) {
    await client.query('DELETE FROM tenancy.context_key_previous');
    return;
  }
  await client.query('UPDATE tenancy.context_key_previous SET valid_until = least(valid_until, now() + make_interval(secs => $1))', [overlapSeconds]);
}
