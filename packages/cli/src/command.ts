import { Option, type Command } from 'commander';
import { z } from 'zod';
import type { CliContext } from './context';
import { UsageError } from './exit-codes';

/** One CLI command: a file under src/commands/ exports one of these, and src/commands/index.ts lists it. */
export type CommandFactory = (context: CliContext) => Command;

export const jsonOption = () => new Option('--json', 'print the result as JSON on stdout (no progress bar, no colours)');

/** The "Examples:" block shown after a command's options in its --help. */
export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/**
 * Commander's raw option values, checked against the command's schema before anything is opened: a bad value is a
 * usage error (exit 2) that names the option, and nothing changes.
 */
export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => `${optionName(issue.path)} ${issue.message}`);
  throw new UsageError(`Invalid input: ${problems.join('; ')}`);
}

function optionName(path: readonly PropertyKey[]): string {
  const key = String(path[0] ?? '');
  return key ? `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'input';
}

/** A whole number given as an option's text. */
export const integerText = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number (${what})`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
