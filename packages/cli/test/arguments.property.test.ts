import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { blankText, databaseState, edgySlug, hostileText, hugeText, invalidSlug, longIdentifier, propertyParams } from '@repo/properties';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli as runInProcess } from '../src/program';
import { json, useCliSuite, type CliResult } from './support';

// Every command's arguments and options, fed what they must refuse: a usage error (exit 2) or, for a well-formed
// slug of no tenant, a failure (exit 1); either way one clear line on stderr that starts with "tenancy:" or
// commander's "error:", no stack trace, and nothing changed in the database. Valid arguments work and round-trip.
// Most runs call the bin's exported entry in this process (fast, and it can be handed NUL bytes and megabytes,
// which no real argv carries); a few spawn the real bin.

const suite = useCliSuite('cliprops');
let archive: string;

// The archive's tenant stays: every import below that names no other slug is refused before any clash.
beforeAll(async () => {
  const { dir } = suite();
  expect((await inProcess(['create', '--slug', 'props_origin', '--name', 'Origin', '--strategy', 'rls'])).code).toBe(0);
  archive = json<{ file: string }>(await inProcess(['export', 'props_origin', '--out', `${dir}/`, '--json'])).file;
});

async function inProcess(args: readonly string[]): Promise<CliResult> {
  const capture = () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { stream, text: () => text };
  };
  const [stdout, stderr] = [capture(), capture()];
  const stdin = new PassThrough();
  stdin.end();
  const code = await runInProcess(args, { stdout: stdout.stream, stderr: stderr.stream, stdin }, { ...suite().env, NODE_ENV: 'test' });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

async function state(): Promise<string> {
  return databaseState(suite().admin, ['tenancy.tenants', 'tenancy.context_key'], 't_');
}

const text = fc.oneof(hostileText(), blankText(), longIdentifier(), hugeText());
const notInteger = fc.oneof(
  fc.constantFrom('-1', '1.5', '1e3', '0x10', ' 4', '4;', 'NaN', 'Infinity', '', '٤', '４', '99999999999999999999'),
  hostileText().filter((s) => !/^\d+$/.test(s)),
);
const badStrategy = fc
  .oneof(hostileText(), fc.constantFrom('RLS', 'schemа', 'database;', 'pool', ''))
  .filter((s) => !['rls', 'schema', 'database'].includes(s));
const badName = fc.oneof(
  blankText(),
  fc.string({ minLength: 201, maxLength: 300 }).filter((s) => s.trim().length > 200),
  hugeText(),
  fc.constant('a\u0000b'),
);

type Case = { args: string[]; exit: 1 | 2 };
const usage = (args: string[]): Case => ({ args, exit: 2 });

/** For every command, arguments it must refuse before changing anything. */
const refused: fc.Arbitrary<Case> = fc.oneof(
  invalidSlug().map((s) => usage(['create', '--slug', s, '--name', 'N', '--strategy', 'rls'])),
  badName.map((n) => usage(['create', '--slug', 'props_name', '--name', n, '--strategy', 'rls'])),
  badStrategy.map((s) => usage(['create', '--slug', 'props_strategy', '--name', 'N', '--strategy', s])),
  invalidSlug().map((s) => usage(['delete', s, '--no-archive', '--yes'])),
  invalidSlug().map((s) => usage(['export', s, '--out', `${suite().dir}/`])),
  invalidSlug().map((s) => usage(['move', s, '--to', 'schema'])),
  badStrategy.map((s) => usage(['move', 'props_move', '--to', s])),
  invalidSlug().map((s) => usage(['plan', s, 'business'])),
  text.map((p) => usage(['plan', 'props_plan', p])),
  text.map((p) => usage(['import', path.join(suite().dir, 'missing', p)])),
  invalidSlug().map((s) => usage(['import', archive, '--slug', s])),
  badStrategy.map((s) => usage(['import', archive, '--strategy', s])),
  badName.map((n) => usage(['import', archive, '--name', n, '--slug', 'props_import'])),
  fc.oneof(notInteger, fc.constantFrom('0', '65')).map((n) => usage(['migrate', '--concurrency', n])),
  notInteger.map((n) => usage(['migrate', '--canary', n])),
  fc.oneof(notInteger, fc.constantFrom('99999999')).map((n) => usage(['rotate-secret', '--overlap', n])),
  fc
    .tuple(fc.constantFrom('--listen-port', '--server-port', '--default-pool-size', '--max-client-conn'), fc.oneof(notInteger, fc.constantFrom('0', '65536')))
    .map(([option, n]) => usage(['pgbouncer-config', option, n])),
  fc
    .tuple(
      fc.constantFrom('--listen-addr', '--server-host', '--auth-user', '--auth-file'),
      hostileText().map((s) => `x\n${s}`),
    )
    .map(([option, value]) => usage(['pgbouncer-config', option, value])),
  badStrategy.map((m) => usage(['pgbouncer-config', '--pool-mode', m])),
  fc
    .constantFrom<string[]>(['create'], ['create', '--slug', 'props_x'], ['delete'], ['move', 'props_x'], ['plan', 'props_x'], ['import'], ['list', 'extra'])
    .map(usage),
  // A well-formed slug of no tenant: the operation fails (exit 1), and says which tenant.
  fc
    .tuple(
      edgySlug(),
      fc.constantFrom<string[]>(['delete', '--no-archive', '--yes'], ['export', '--out', '/tmp/'], ['move', '--to', 'schema'], ['plan', 'business']),
    )
    .map(([s, [command, ...rest]]) => ({ args: [command!, `props_${s}`.slice(0, 48), ...rest], exit: 1 as const })),
);

function expectRefused(result: CliResult, { args, exit }: Case): void {
  const label = JSON.stringify(args).slice(0, 200);
  expect(result.code, `${label}\n${result.stderr}`).toBe(exit);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines[0], label).toMatch(/^(tenancy|error): \S/);
  // Commander adds one hint line, "(run `tenancy X --help` for usage)": nothing more, and no stack trace.
  expect(lines.length, `${label}\n${result.stderr}`).toBeLessThanOrEqual(2);
  expect(result.stderr, label).not.toMatch(/^\s+at /m);
  expect(result.stderr.length, label).toBeLessThan(600);
  expect(result.stdout, label).toBe('');
}

describe('CLI arguments (properties)', () => {
  it('every command refuses bad arguments with exit 2 (or 1 for no such tenant), one line on stderr, and changes nothing', async () => {
    const before = await state();
    await fc.assert(
      fc.asyncProperty(refused, async (c) => {
        expectRefused(await inProcess(c.args), c);
        expect(await state(), JSON.stringify(c.args).slice(0, 200)).toBe(before);
      }),
      propertyParams(60),
    );
    expect(readdirSync(suite().dir).filter((f) => f !== path.basename(archive))).toEqual([]);
  });

  it('the real bin: the same refusals, as a process, print no stack trace', async () => {
    const before = await state();
    // A real argv cannot hold a NUL byte, and Linux caps one argument at 128 kB.
    const spawnable = refused.filter((c) => c.args.every((a) => !a.includes('\u0000') && a.length < 100_000));
    await fc.assert(
      fc.asyncProperty(spawnable, async (c) => {
        expectRefused(await suite().cli(c.args), c);
      }),
      propertyParams(3),
    );
    expect(await state()).toBe(before);
  });

  it('valid slugs and names round-trip: create, list, export, import as a copy, list', async () => {
    const { dir } = suite();
    const used = new Set<string>();
    const name = fc
      .oneof(hostileText(), fc.string({ minLength: 1, maxLength: 200, unit: 'grapheme' }))
      .map((s) => s.replaceAll('\u0000', ''))
      .filter((s) => s.trim().length > 0 && s.trim().length <= 200 && Buffer.from(s, 'utf8').toString('utf8') === s && !s.startsWith('-'));
    await fc.assert(
      fc.asyncProperty(edgySlug(), name, fc.constantFrom('rls', 'schema'), async (slug, given, strategy) => {
        // Tenants stay (deleting one waits out the catalog cache, 5 s): each run takes a slug of its own.
        fc.pre(!used.has(slug));
        const copy = `c${used.size}_${slug}`.slice(0, 48);
        used.add(slug).add(copy);
        const listed = async (key: string) =>
          json<{ slug: string; name: string; strategy: string }[]>(await inProcess(['list', '--json'])).find((t) => t.slug === key);
        const create = await inProcess(['create', '--slug', slug, '--name', given, '--strategy', strategy]);
        expect(create.code, create.stderr).toBe(0);
        expect(await listed(slug)).toMatchObject({ slug, name: given.trim(), strategy });
        const exported = json<{ file: string }>(await inProcess(['export', slug, '--out', `${dir}/`, '--json']));
        const imported = await inProcess(['import', exported.file, '--slug', copy, '--new-id']);
        expect(imported.code, imported.stderr).toBe(0);
        expect(await listed(copy)).toMatchObject({ slug: copy, name: given.trim(), strategy });
      }),
      propertyParams(3),
    );
  });
});
