import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { deriveKey, signProof } from '../context/token';
import { explainProofRefusal } from '../errors';
import type { SecretsProvider } from './provider';

export interface DatabaseSecretsOptions {
  /** A connection to the deployment's database: the admin URL to write, any runtime role to read. */
  connectionString: string;
  /** Encryption key: any string; AES-256-GCM uses its SHA-256. Keep it out of the database. */
  encryptionKey: string;
  /**
   * The deployment's context secret (createTenancy's `contextSecret`): each read carries a proof
   * signed with it, and the database hands out a ciphertext only with one.
   */
  contextSecret: string;
}

/**
 * Secrets encrypted with AES-256-GCM in `tenancy.secrets` (installed by setup()). The database
 * holds only ciphertext; the runtime roles read it through `tenancy.get_secret()` with a signed proof, and only a
 * process that also has the key can decrypt. The key name is bound in as additional data, so a
 * ciphertext copied to another name does not decrypt.
 */
export class DatabaseSecretsProvider implements SecretsProvider {
  private readonly key: Buffer;
  private readonly proofKey: Buffer;
  private readonly pool: pg.Pool;

  constructor(options: DatabaseSecretsOptions) {
    this.key = createHash('sha256').update(options.encryptionKey, 'utf8').digest();
    this.proofKey = deriveKey(options.contextSecret);
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: 2 });
    this.pool.on('error', () => undefined);
  }

  async get(name: string): Promise<string | undefined> {
    const { expires, signature } = signProof('secret', name, this.proofKey);
    const { rows } = await this.pool
      .query<{ iv: Buffer; tag: Buffer; ciphertext: Buffer }>('SELECT iv, tag, ciphertext FROM tenancy.get_secret($1, $2, $3)', [name, expires, signature])
      .catch((error: unknown) => {
        throw explainProofRefusal(error);
      });
    const row = rows[0];
    if (!row) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', this.key, row.iv);
    decipher.setAAD(Buffer.from(name, 'utf8'));
    decipher.setAuthTag(row.tag);
    return Buffer.concat([decipher.update(row.ciphertext), decipher.final()]).toString('utf8');
  }

  async set(name: string, value: string): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(name, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    await this.pool.query(
      `INSERT INTO tenancy.secrets (name, iv, tag, ciphertext) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO UPDATE SET iv = excluded.iv, tag = excluded.tag, ciphertext = excluded.ciphertext, updated_at = now()`,
      [name, iv, cipher.getAuthTag(), ciphertext],
    );
  }

  async delete(name: string): Promise<void> {
    await this.pool.query('DELETE FROM tenancy.secrets WHERE name = $1', [name]);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
