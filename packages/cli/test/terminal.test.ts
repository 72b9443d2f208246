import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Io } from '../src/io';
import { runCli } from '../src/program';
import { useCliSuite } from './support';

// What only a person at a terminal sees: the typed-slug confirmation of delete and migrate's progress bar. A child
// process here has pipes, not a terminal, so these run the same entry point as the bin (runCli) in this process,
// with streams that say they are terminals, against the suite's real database.

const suite = useCliSuite('terminal');

interface Terminal {
  io: Io;
  stdout(): string;
  stderr(): string;
}

function terminal(typed: string): Terminal {
  const tty = <S extends PassThrough>(stream: S) => Object.assign(stream, { isTTY: true, columns: 100 });
  const stdout = tty(new PassThrough());
  const stderr = tty(new PassThrough());
  const stdin = tty(new PassThrough());
  const chunks = { out: '', err: '' };
  stdout.on('data', (c: Buffer) => (chunks.out += c.toString()));
  stderr.on('data', (c: Buffer) => (chunks.err += c.toString()));
  // The answer arrives once the question has been asked.
  stderr.once('data', () => stdin.end(typed));
  return { io: { stdout, stderr, stdin }, stdout: () => chunks.out, stderr: () => chunks.err };
}

async function catalogHas(slug: string): Promise<boolean> {
  return (await suite().admin.query('select 1 from tenancy.tenants where slug = $1', [slug])).rowCount === 1;
}

describe('delete at a terminal', () => {
  it('a typed slug that does not match: exit 4, nothing deleted', async () => {
    const { cli, slug, env } = suite();
    const s = slug('typed_wrong');
    expect((await cli(['create', '--slug', s, '--name', 'Typed', '--strategy', 'rls'])).code).toBe(0);
    const t = terminal('something_else\n');
    expect(await runCli(['delete', s, '--no-archive'], t.io, env)).toBe(4);
    expect(t.stderr()).toMatch(new RegExp(`Type the slug "${s}" to confirm`));
    expect(t.stderr()).toMatch(/NOT archived/);
    expect(t.stderr()).toMatch(/does not match/);
    expect(await catalogHas(s)).toBe(true);
  });

  it('the slug typed: deleted, exit 0', async () => {
    const { cli, slug, env, dir } = suite();
    const s = slug('typed_right');
    expect((await cli(['create', '--slug', s, '--name', 'Typed', '--strategy', 'schema'])).code).toBe(0);
    const t = terminal(`${s}\n`);
    expect(await runCli(['delete', s, '--archive', `${dir}/`], t.io, env)).toBe(0);
    expect(t.stderr()).toMatch(/archived to .*\.tar\.gz first/);
    expect(t.stdout()).toMatch(new RegExp(`^Deleted tenant ${s} \\(schema\\)`));
    expect(await catalogHas(s)).toBe(false);
  });
});

describe('migrate at a terminal', () => {
  it('draws a progress bar on stderr and keeps the summary on stdout; --json draws none', async () => {
    const { env } = suite();
    const t = terminal('');
    expect(await runCli(['migrate'], t.io, env)).toBe(0);
    expect(t.stderr()).toMatch(/migrating \[[█░]+\] \d+\/\d+/);
    expect(t.stdout()).toMatch(/^Migrated (\d+) of \1 placements \(\d+ already current\)\.$/m);

    const j = terminal('');
    expect(await runCli(['migrate', '--json'], j.io, env)).toBe(0);
    expect(j.stderr()).toBe('');
    expect(JSON.parse(j.stdout())).toMatchObject({ failed: [] });
  });
});
