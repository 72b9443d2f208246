import { readFileSync } from 'node:fs';
import path from 'node:path';

// Just enough of the Dockerfile syntax to read this repository's Dockerfiles and run their commands outside
// Docker: stages, ARG defaults, ENV, WORKDIR, USER, RUN, COPY (with --from and --chown) and exec-form CMD.

export interface Instruction {
  keyword: string;
  /** Everything after the keyword and its --flags. */
  args: string;
  flags: Record<string, string>;
  line: number;
}

export interface Stage {
  name: string;
  /** An image, or the name of an earlier stage. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  file: string;
  /** ARG defaults declared before the first FROM. */
  args: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(file: string): Dockerfile {
  const lines = joinContinuations(readFileSync(file, 'utf8'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text, line } of lines) {
    const match = /^(\w+)\s+(.*)$/s.exec(text);
    if (!match) throw new Error(`${file}:${line}: cannot read "${text}"`);
    const keyword = match[1]!.toUpperCase();
    const { flags, rest } = splitFlags(match[2]!.trim());
    const instruction: Instruction = { keyword, args: rest, flags, line };
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!from) throw new Error(`${file}:${line}: cannot read FROM ${rest}`);
      stages.push({ from: substitute(from[1]!, args), name: from[2] ?? String(stages.length), instructions: [] });
    } else if (stages.length === 0) {
      if (keyword !== 'ARG') throw new Error(`${file}:${line}: only ARG may come before the first FROM`);
      const [name, value = ''] = rest.split('=', 2) as [string, string?];
      args[name] = value;
    } else {
      stages.at(-1)!.instructions.push(instruction);
    }
  }
  return { file, args, stages };
}

/** A stage with what it inherits from the stages it is built FROM. */
export interface ResolvedStage {
  stage: Stage;
  /** Stage names from the first one (FROM an image) to this one. */
  chain: Stage[];
  env: Record<string, string>;
  workdir: string;
  user: string;
}

export function stage(dockerfile: Dockerfile, name: string): Stage {
  const found = dockerfile.stages.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`${dockerfile.file} has no stage "${name}" (stages: ${dockerfile.stages.map((s) => s.name).join(', ')})`);
  return found;
}

export function finalStage(dockerfile: Dockerfile): Stage {
  const last = dockerfile.stages.at(-1);
  if (!last) throw new Error(`${dockerfile.file} has no stage`);
  return last;
}

export function resolveStage(dockerfile: Dockerfile, name: string): ResolvedStage {
  const chain: Stage[] = [];
  for (let current: Stage | undefined = stage(dockerfile, name); current;) {
    chain.unshift(current);
    const parent: string = current.from;
    current = dockerfile.stages.find((candidate) => candidate.name === parent);
  }
  const env: Record<string, string> = {};
  let workdir = '/';
  let user = 'root';
  for (const link of chain) {
    for (const instruction of link.instructions) {
      if (instruction.keyword === 'ENV') Object.assign(env, parseEnv(instruction.args));
      if (instruction.keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, instruction.args);
      if (instruction.keyword === 'USER') user = instruction.args;
    }
  }
  return { stage: stage(dockerfile, name), chain, env, workdir, user };
}

/** The stage's own instructions of one kind (not those it inherits). */
export function instructions(stageDef: Stage, keyword: string): Instruction[] {
  return stageDef.instructions.filter((instruction) => instruction.keyword === keyword);
}

export interface CopyInstruction {
  from?: string;
  chown?: string;
  sources: string[];
  destination: string;
  line: number;
}

export function copies(stageDef: Stage): CopyInstruction[] {
  return instructions(stageDef, 'COPY').map((instruction) => {
    const parts = instruction.args.split(/\s+/);
    const destination = parts.pop()!;
    return {
      ...(instruction.flags.from ? { from: instruction.flags.from } : {}),
      ...(instruction.flags.chown ? { chown: instruction.flags.chown } : {}),
      sources: parts,
      destination,
      line: instruction.line,
    };
  });
}

/** The exec-form CMD of a stage (the shell form is refused: a signal would go to sh, not to node). */
export function execCommand(stageDef: Stage, keyword: 'CMD' | 'ENTRYPOINT' = 'CMD'): string[] | undefined {
  const found = instructions(stageDef, keyword).at(-1);
  if (!found) return undefined;
  const parsed: unknown = JSON.parse(found.args);
  if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
    throw new Error(`${keyword} on line ${found.line} is not an exec-form array`);
  return parsed;
}

function joinContinuations(text: string): { text: string; line: number }[] {
  const result: { text: string; line: number }[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return;
    const continues = trimmed.endsWith('\\');
    const piece = continues ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending ? { text: `${pending.text} ${piece}`, line: pending.line } : { text: piece, line: index + 1 };
    if (!continues) {
      result.push(pending);
      pending = undefined;
    }
  });
  if (pending) result.push(pending);
  return result;
}

function splitFlags(text: string): { flags: Record<string, string>; rest: string } {
  const flags: Record<string, string> = {};
  let rest = text;
  for (let match = /^--([a-z-]+)=(\S+)\s+/.exec(rest); match; match = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    flags[match[1]!] = match[2]!;
    rest = rest.slice(match[0].length);
  }
  return { flags, rest };
}

function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => args[(braced ?? bare)!] ?? whole);
}

/** `ENV A=1 B="two words"` (the `ENV A 1` form too). */
export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (!text.includes('=')) {
    const [name, ...value] = text.split(/\s+/);
    env[name!] = value.join(' ');
    return env;
  }
  for (const match of text.matchAll(/(\w+)=("([^"]*)"|'([^']*)'|\S*)/g)) {
    env[match[1]!] = match[3] ?? match[4] ?? match[2]!;
  }
  return env;
}
