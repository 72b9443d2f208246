import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { environmentOf, portsOf, readEnvExample, resolveCompose, type ComposeFile } from '../src/compose';
import { APPS, ENV_EXAMPLE, INFRA_README, REPO_ROOT } from '../src/paths';
import { DOCKER_COMPOSE, requireTools } from '../src/requirements';

// Nothing the stack publishes answers beyond this machine unless the operator says so: the apps, like the
// databases, are published on 127.0.0.1, and a reverse proxy in front serves them (infra/docker/README.md,
// "Exposing the apps"). Checked on compose.yml as Docker runs it, with .env.example, with the variables left out,
// and with them set.

const EXPOSURE_VARIABLES = ['APPS_BIND_ADDRESS', 'WEB_PUBLIC_URL', 'ADMIN_PUBLIC_URL'] as const;

/** The variables the first cells of the root README's "Environment variables" table name. */
function rootReadmeVariables(): string[] {
  const section =
    readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8')
      .split(/^## /m)
      .find((part) => part.startsWith('Environment variables')) ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...line.split('|')[1]!.matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((match) => match[1]!));
}

/** .env.example with some variables removed and others set, as a .env file of its own. */
function envFile(changes: { without?: readonly string[]; set?: Record<string, string> }): string {
  const lines = readFileSync(ENV_EXAMPLE, 'utf8')
    .split('\n')
    .filter((line) => !(changes.without ?? []).some((name) => line.startsWith(`${name}=`)));
  for (const [name, value] of Object.entries(changes.set ?? {})) lines.push(`${name}=${value}`);
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'exposure-')), '.env');
  writeFileSync(file, lines.join('\n'));
  return file;
}

const publishedAddresses = (resolved: ComposeFile) =>
  Object.fromEntries(
    Object.entries(resolved.services).map(([name, service]) => [name, portsOf(service).map((port) => port.hostIp ?? '0.0.0.0 (every interface)')]),
  );

describe('exposure: what the stack publishes, and where', () => {
  const available = requireTools('resolving compose.yml', [DOCKER_COMPOSE]);

  test('.env.example and the READMEs name the exposure variables', () => {
    const { active } = readEnvExample();
    for (const name of EXPOSURE_VARIABLES) {
      expect(active.has(name), `${name} in .env.example`).toBe(true);
      expect(readFileSync(INFRA_README, 'utf8'), `${name} in infra/docker/README.md`).toContain(`\`${name}\``);
      expect(rootReadmeVariables(), `${name} in the root README's table`).toContain(name);
    }
    expect(active.get('APPS_BIND_ADDRESS')).toBe('127.0.0.1');
  });

  test.skipIf(!available)('with .env.example, every port of every service is published on 127.0.0.1 only', () => {
    const addresses = publishedAddresses(resolveCompose());
    for (const app of APPS) expect(addresses[app], `${app} publishes a port`).not.toEqual([]);
    for (const [service, published] of Object.entries(addresses))
      expect(
        published.every((ip) => ip === '127.0.0.1'),
        `${service}: ${published.join(', ')}`,
      ).toBe(true);
  });

  test.skipIf(!available)('left out of .env, the apps are still published on 127.0.0.1, and their URLs are the local ones', () => {
    const resolved = resolveCompose(envFile({ without: EXPOSURE_VARIABLES }));
    for (const [service, published] of Object.entries(publishedAddresses(resolved)))
      expect(
        published.every((ip) => ip === '127.0.0.1'),
        `${service}: ${published.join(', ')}`,
      ).toBe(true);
    for (const app of APPS)
      expect(environmentOf(resolved.services[app]!).NEXTAUTH_URL).toBe(`http://localhost:${portsOf(resolved.services[app]!)[0]!.published}`);
  });

  test.skipIf(!available)('APPS_BIND_ADDRESS moves only the apps; the public URLs become their NEXTAUTH_URL', () => {
    const urls = { web: 'https://app.example.com', admin: 'https://admin.example.com' };
    const resolved = resolveCompose(
      envFile({ without: EXPOSURE_VARIABLES, set: { APPS_BIND_ADDRESS: '10.1.2.3', WEB_PUBLIC_URL: urls.web, ADMIN_PUBLIC_URL: urls.admin } }),
    );
    const addresses = publishedAddresses(resolved);
    for (const [service, published] of Object.entries(addresses)) {
      const expected = (APPS as readonly string[]).includes(service) ? '10.1.2.3' : '127.0.0.1';
      expect(
        published.every((ip) => ip === expected),
        `${service}: ${published.join(', ')}`,
      ).toBe(true);
    }
    for (const app of APPS) expect(environmentOf(resolved.services[app]!).NEXTAUTH_URL).toBe(urls[app]);
  });
});
