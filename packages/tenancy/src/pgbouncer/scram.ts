import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

// PostgreSQL accepts a ready SCRAM verifier as a role's PASSWORD, so the plain password never
// has to travel to the server or sit in SQL text (logs, pg_stat_activity, init.sql).
// Only ASCII passwords are hashed here: others would need SASLprep first (RFC 4013).

const ITERATIONS = 4096; // PostgreSQL's scram_iterations default
const SALT_BYTES = 16;

export function scramVerifier(password: string, salt: Buffer = randomBytes(SALT_BYTES), iterations = ITERATIONS): string {
  assertAscii(password);
  const { storedKey, serverKey } = keys(password, salt, iterations);
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** True when `stored` (pg_authid.rolpassword) was made from `password`; md5 hashes are salted with the role name. */
export function passwordMatches(stored: string | null, role: string, password: string): boolean {
  if (stored === null) return false;
  if (stored.startsWith('md5'))
    return sameText(
      stored,
      `md5${createHash('md5')
        .update(password + role)
        .digest('hex')}`,
    );
  const parsed = parseScram(stored);
  if (!parsed) return false;
  const { storedKey, serverKey } = keys(password, parsed.salt, parsed.iterations);
  return timingSafeEqualBuffers(storedKey, parsed.storedKey) && timingSafeEqualBuffers(serverKey, parsed.serverKey);
}

function keys(password: string, salt: Buffer, iterations: number): { storedKey: Buffer; serverKey: Buffer } {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  return {
    storedKey: createHash('sha256').update(clientKey).digest(),
    serverKey: createHmac('sha256', salted).update('Server Key').digest(),
  };
}

interface ParsedScram {
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

function parseScram(stored: string): ParsedScram | undefined {
  const match = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!match) return undefined;
  const [, iterations, salt, storedKey, serverKey] = match as unknown as [string, string, string, string, string];
  return {
    iterations: Number.parseInt(iterations, 10),
    salt: Buffer.from(salt, 'base64'),
    storedKey: Buffer.from(storedKey, 'base64'),
    serverKey: Buffer.from(serverKey, 'base64'),
  };
}

function assertAscii(password: string): void {
  if (!/^[\x20-\x7e]*$/.test(password)) throw new TypeError('Only printable ASCII passwords can be hashed here (others need SASLprep).');
}

function sameText(a: string, b: string): boolean {
  return timingSafeEqualBuffers(Buffer.from(a), Buffer.from(b));
}

function timingSafeEqualBuffers(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
