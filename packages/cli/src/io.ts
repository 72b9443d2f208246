import type { Readable, Writable } from 'node:stream';

/** A stream that may be a terminal (process.stdout, process.stderr, process.stdin). */
export type Terminal<S> = S & { isTTY?: boolean };

/** Where a command reads and writes: the process's streams in the bin, and nothing else. */
export interface Io {
  stdout: Terminal<Writable>;
  stderr: Terminal<Writable>;
  stdin: Terminal<Readable>;
}

/** One line on stdout: the command's result. */
export function out(io: Io, line = ''): void {
  io.stdout.write(`${line}\n`);
}

/** One line on stderr: progress, warnings, errors; never part of the result. */
export function note(io: Io, line: string): void {
  io.stderr.write(`${line}\n`);
}

/** The result as JSON, for scripts: one document on stdout. */
export function outJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A person is at the terminal: stdin to answer and stderr to read the question. */
export function interactive(io: Io): boolean {
  return Boolean(io.stdin.isTTY && io.stderr.isTTY);
}
