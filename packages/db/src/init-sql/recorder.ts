import pg from 'pg';

export interface RecordedStatement {
  text: string;
  values: unknown[];
}

/** Reads that change nothing are left out of the replay; set_config() calls change settings, so they stay. */
function changesSomething(text: string): boolean {
  return !/^\s*select\b/i.test(text) || /\bset_config\s*\(/i.test(text);
}

/**
 * A pg.Client that writes down every statement that changes something, with its parameters, in
 * the order the server ran them: init.sql is that log, so it cannot drift from what setup(),
 * the migrations and the seed really do.
 */
export function recordingClientClass(log: RecordedStatement[]): typeof pg.Client {
  return class RecordingClient extends pg.Client {
    override query(...args: unknown[]): never {
      const [config, values] = args as [string | pg.QueryConfig, unknown[] | undefined];
      const text = typeof config === 'string' ? config : config.text;
      const params = (typeof config === 'string' ? undefined : config.values) ?? values ?? [];
      if (typeof text === 'string' && changesSomething(text)) log.push({ text, values: Array.isArray(params) ? params : [] });
      return (super.query as (...a: unknown[]) => never)(...args);
    }
  };
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Buffer.isBuffer(value)) return `'\\x${value.toString('hex')}'::bytea`;
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return pg.escapeLiteral(String(value));
}

/**
 * One statement with its parameters written in as literals, in a single pass: a value that itself
 * contains "$2" (an argon2 hash does) is never substituted again.
 */
export function renderStatement(statement: RecordedStatement): string {
  const sql = statement.values.length
    ? statement.text
        .trim()
        .replace(/\$(\d+)/g, (placeholder, n: string) => (Number(n) <= statement.values.length ? literal(statement.values[Number(n) - 1]) : placeholder))
    : statement.text.trim();
  return sql.endsWith(';') ? sql : `${sql};`;
}
