import { z } from 'zod';

// The one place this app reads its configuration from process.env: everything else imports `env`, so a missing
// or bad variable fails at start-up with its name, not later as `undefined` deep inside a request.

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});

export type Env = z.infer<typeof schema>;

function parseEnv(source: NodeJS.ProcessEnv): Env {
  // `LOG_LEVEL=` in a .env file means "not set", not "set to an invalid empty value".
  const input = Object.fromEntries(Object.entries(source).filter(([, value]) => value !== ''));
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // Name the variable but never echo its value: later variables hold secrets.
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return input[name] === undefined ? `${name} is missing` : `${name} is invalid: ${issue.message}`;
  });
  throw new Error(`Invalid environment: ${problems.join('; ')}`);
}

export const env = parseEnv(process.env);
