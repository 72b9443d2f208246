import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENV_EXAMPLE } from './paths';

/**
 * The variables of .env.example a deployment must change: the passwords, secrets and keys given a value. One left
 * empty is optional and has a meaning of its own (FIRST_OPERATOR_PASSWORD: empty, setup generates one and prints it).
 */
export const isPublishedSecret = (name: string, value: string): boolean => /PASSWORD|SECRET|KEY/.test(name) && value !== '';

let generated: string | undefined;

/**
 * A copy of infra/docker/.env.example with every secret replaced by a fresh `openssl rand -hex 32`, as the example
 * tells a deployment to do: the apps' images run with NODE_ENV=production, which refuses the published example values.
 * Written once per test process, to a temporary directory.
 */
export function generatedEnvFile(): string {
  if (generated) return generated;
  const lines = readFileSync(ENV_EXAMPLE, 'utf8')
    .split('\n')
    .map((line) => {
      const assignment = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      return assignment && isPublishedSecret(assignment[1]!, assignment[2]!) ? `${assignment[1]}=${randomBytes(32).toString('hex')}` : line;
    });
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'infra-env-')), '.env');
  writeFileSync(file, lines.join('\n'), { mode: 0o600 });
  generated = file;
  return file;
}
