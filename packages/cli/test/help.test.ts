import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli as runInProcess } from '../src/program';
import { BIN, runCli } from './support';

const COMMANDS = ['setup', 'create', 'list', 'plan', 'delete', 'migrate', 'rotate-secret', 'audit', 'pgbouncer-config'];

describe('--help', () => {
  it('lists every command, the exit codes and the environment variables, on stdout, exit 0, with no environment at all', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(result.stdout).toMatch(/^Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*audit.*\n {2}4 .*delete/m);
    for (const variable of ['ADMIN_DATABASE_URL', 'DATABASE_URL', 'TENANCY_CONTEXT_SECRET', 'TENANCY_SECRETS_KEY', 'TENANCY_POOLER', 'ARCHIVE_DIR']) {
      expect(result.stdout).toContain(variable);
    }
    expect(result.stdout).toMatch(/^Examples:\n {2}\$ tenancy /m);
  });

  // The bin's own --help is above; each command's help is the same code path, run here in-process (no spawn each).
  it.each(COMMANDS)('%s --help shows its options and examples', async (command) => {
    let stdout = '';
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    expect(await runInProcess([command, '--help'], { stdout: sink, stderr: new PassThrough(), stdin: new PassThrough() }, {})).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: tenancy ${command} `));
    expect(stdout).toMatch(new RegExp(`^Examples:\\n {2}\\$ .*tenancy ${command}`, 'm'));
  });

  it('no command, or an unknown one: usage on stderr, exit 2', async () => {
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^Usage: tenancy /);
    const unknown = await runCli(['provision']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'provision'/);
    expect(unknown.stdout).toBe('');
  });

  it('a reader that closes the pipe early (`tenancy --help | head -1`) ends nothing badly: exit 0, no EPIPE crash', async () => {
    const child = spawn(process.execPath, [BIN, '--help'], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).not.toMatch(/EPIPE/);
    expect(code).toBe(0);
  });
});
