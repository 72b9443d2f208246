import { readFileSync } from 'node:fs';
import Mustache from 'mustache';

// The words of BENCHMARKS.md live in bench/prose/<section>.md, one block per paragraph, so that they read and diff as
// prose; the sections compute only the figures. A block starts at a line `<!-- name -->` and runs to the next one;
// `{{name}}` stands for a value the section passes. Markdown is the output, so nothing is HTML-escaped.

const PROSE_DIR = new URL('../../prose/', import.meta.url);
const BLOCK = /^<!-- ([a-z0-9-]+) -->$/;

export type ProseView = Record<string, string | number>;

function blocksOf(section: string): Map<string, string> {
  const blocks = new Map<string, string>();
  let name: string | undefined;
  let lines: string[] = [];
  const close = () => {
    if (name !== undefined) blocks.set(name, lines.join('\n').trim());
  };
  for (const line of readFileSync(new URL(`${section}.md`, PROSE_DIR), 'utf8').split('\n')) {
    const opened = BLOCK.exec(line);
    if (!opened) {
      lines.push(line);
      continue;
    }
    close();
    if (blocks.has(opened[1]!)) throw new Error(`bench/prose/${section}.md: block "${opened[1]}" twice`);
    name = opened[1];
    lines = [];
  }
  close();
  return blocks;
}

type Token = [kind: string, value: string, start: number, end: number, children?: Token[]];

/** The values a block names, sections included, so that a missing one is an error instead of a gap in the report. */
function namesIn(tokens: Token[]): string[] {
  const names = tokens.flatMap((token) => {
    const [kind, value, , , children] = token;
    const own = kind === 'name' || kind === '&' || kind === '#' || kind === '^' ? [value] : [];
    return [...own, ...namesIn(children ?? [])];
  });
  return [...new Set(names)];
}

/** The blocks of bench/prose/<section>.md, rendered on demand: `text('intro', { tenants: 12 })`. */
export function prose(section: string): (name: string, view?: ProseView) => string {
  const blocks = blocksOf(section);
  return (name, view = {}) => {
    const template = blocks.get(name);
    if (template === undefined) throw new Error(`bench/prose/${section}.md has no block "${name}"`);
    const missing = namesIn(Mustache.parse(template) as Token[]).filter((key) => !(key in view));
    if (missing.length) throw new Error(`bench/prose/${section}.md, block "${name}": no value for ${missing.join(', ')}`);
    return Mustache.render(template, view, {}, { escape: (value: unknown) => String(value) });
  };
}
