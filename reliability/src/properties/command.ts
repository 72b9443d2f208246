import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface CommandResult {
  code: number | null;
  /** The last lines of its output, for a failing check's detail. */
  tail: string;
}

/** Runs `command args` in `cwd` with `env` added, its output appended to `logFile`; resolves when it exits. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; logFile: string },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(options.logFile, { flags: 'a' });
    let tail = '';
    const child = spawn(command, args, { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      log.write(chunk);
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', reject);
    child.on('close', (code) => log.end(() => resolve({ code, tail: tail.split('\n').slice(-30).join('\n') })));
  });
}
