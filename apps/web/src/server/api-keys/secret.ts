import { createHash, randomBytes } from 'node:crypto';

// What an API key looks like: `tk_<8 letters or digits>_<43 characters of base64url>`. The first part (the prefix) is
// public: it is stored as it is and shown in the key list so people can tell keys apart. The whole key is 32 random bytes
// after it, shown once at creation and stored only as its sha256 (hex), so a copy of the database gives no key away.

const PREFIX_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY_FORMAT = /^(tk_[A-Za-z0-9]{8})_[A-Za-z0-9_-]{43}$/;

export interface NewApiKey {
  /** The key itself: handed to the person once, never stored. */
  key: string;
  prefix: string;
  hash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function newApiKey(): NewApiKey {
  // 62 letters: a byte modulo 62 is slightly uneven, which does not matter for a public label.
  const prefix = `tk_${Array.from(randomBytes(8), (byte) => PREFIX_LETTERS[byte % PREFIX_LETTERS.length]).join('')}`;
  const key = `${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/** The key in an `Authorization: Bearer <key>` header, or null when there is none or it is not shaped like one. */
export function bearerKey(authorization: string | null): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '');
  const key = match?.[1];
  return key && KEY_FORMAT.test(key) ? key : null;
}
