import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIRST_OPERATOR_DEFAULT_EMAIL, isPublishedPassword } from '@repo/db/operators';
import { SEED_OPERATORS } from '@repo/db/seed';
import { describe, expect, test } from 'vitest';
import { environmentOf, readComposeSource, readEnvExample, resolveCompose } from '../src/compose';
import { APPS, COMPOSE_FILE, INFRA_README, REPO_ROOT } from '../src/paths';
import { DOCKER_COMPOSE, requireTools } from '../src/requirements';

// No operator with a published password in the Docker stack: init.sql (what its database starts from) carries none,
// and the setup service creates the first one from FIRST_OPERATOR_* or with a generated password. The stack suite
// (stack.test.ts) runs that setup and signs in with the password it prints; this checks the files around it.

const VARIABLES = ['FIRST_OPERATOR_EMAIL', 'FIRST_OPERATOR_PASSWORD'] as const;

describe('the first operator, in the files of the compose stack', () => {
  test('init.sql, which the postgres service runs, creates no operator', () => {
    const initSql = readFileSync(path.join(REPO_ROOT, 'init.sql'), 'utf8');
    expect(initSql).not.toMatch(/INSERT INTO (public\.)?"?operators"?/i);
    expect(initSql).not.toContain(SEED_OPERATORS[0].email);
  });

  test('.env.example names a valid email and leaves the password empty (generated on the first start)', () => {
    const { active } = readEnvExample();
    expect(active.get('FIRST_OPERATOR_PASSWORD')).toBe('');
    expect(active.get('FIRST_OPERATOR_EMAIL')).toBe(FIRST_OPERATOR_DEFAULT_EMAIL);
    for (const [name, value] of active) if (/PASSWORD/.test(name)) expect(isPublishedPassword(value), `${name} in .env.example`).toBe(false);
  });

  test('compose.yml reads both as optional, for the setup service only', () => {
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    for (const name of VARIABLES) expect(text, name).toContain(`\${${name}:-}`);
    const compose = readComposeSource();
    for (const [service, definition] of Object.entries(compose.services)) {
      const names = Object.keys(environmentOf(definition)).filter((key) => (VARIABLES as readonly string[]).includes(key));
      expect(names, service).toEqual(service === 'setup' ? [...VARIABLES] : []);
    }
  });

  test.skipIf(!requireTools('resolving compose.yml', [DOCKER_COMPOSE]))('docker-compose gives setup the values of .env, and the apps none', () => {
    const resolved = resolveCompose();
    const setup = environmentOf(resolved.services.setup!);
    expect({ email: setup.FIRST_OPERATOR_EMAIL, password: setup.FIRST_OPERATOR_PASSWORD }).toEqual({ email: FIRST_OPERATOR_DEFAULT_EMAIL, password: '' });
    for (const app of APPS) for (const name of VARIABLES) expect(environmentOf(resolved.services[app]!)[name], `${app} ${name}`).toBeUndefined();
  });

  test('the READMEs document them, and the Docker README lists no operator login', () => {
    const infra = readFileSync(INFRA_README, 'utf8');
    const root = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    for (const name of VARIABLES) {
      expect(infra, `${name} in infra/docker/README.md`).toContain(`\`${name}\``);
      expect(root, `${name} in the root README's table`).toMatch(new RegExp(`^\\| [^|]*\`${name}\``, 'm'));
    }
    expect(infra).toMatch(/^## The first operator$/m);
    const logins = infra.split(/^## /m).find((part) => part.startsWith('Seeded logins'))!;
    expect(logins.split('\n').filter((line) => line.startsWith('| admin'))).toEqual([]);
  });
});
