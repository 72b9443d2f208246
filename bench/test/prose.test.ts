import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

import { prose } from '../src/harness/prose';

// The words of BENCHMARKS.md are in bench/prose/*.md; the sections name the blocks they render. A renamed or
// forgotten block would only fail in the middle of a benchmark run: these checks fail first.

const BENCH = fileURLToPath(new URL('..', import.meta.url));
const SOURCES = ['src/sections', 'src/harness'].flatMap((dir) => readdirSync(path.join(BENCH, dir)).map((name) => path.join(BENCH, dir, name)));

/** Each source file that renders prose: its section and the blocks it names. */
function uses(): { file: string; section: string; blocks: string[] }[] {
  return SOURCES.flatMap((file) => {
    const source = readFileSync(file, 'utf8');
    const section = /const text = prose\('([a-z0-9-]+)'\)/.exec(source)?.[1];
    if (!section) return [];
    return [{ file: path.relative(BENCH, file), section, blocks: [...source.matchAll(/\btext\('([a-z0-9-]+)'/g)].map((m) => m[1]!) }];
  });
}

const blocksIn = (section: string) =>
  [...readFileSync(path.join(BENCH, 'prose', `${section}.md`), 'utf8').matchAll(/^<!-- ([a-z0-9-]+) -->$/gm)].map((m) => m[1]!);

describe('bench prose', () => {
  const used = uses();

  it('every section renders its words from bench/prose', () => {
    expect(used.map((u) => u.section).sort()).toEqual([
      'breakdown',
      'context-cost',
      'instructions',
      'leaks',
      'lifecycle',
      'migrate-scale',
      'plans',
      'pooler',
      'provisioning',
      'reset-cost',
      'round-trips',
      'servers',
      'web',
    ]);
  });

  it.each(used.map((u) => [u.file, u] as const))('%s names only blocks its prose file has, and uses every one', (_file, use) => {
    const blocks = blocksIn(use.section);
    expect(new Set(use.blocks)).toEqual(new Set(blocks));
  });

  it('renders values as written (markdown, not HTML), and refuses a missing one', () => {
    const dir = mkdtempSync(path.join(BENCH, 'prose', '.test-'));
    try {
      const section = path.relative(path.join(BENCH, 'prose'), dir);
      writeFileSync(path.join(dir, 'x.md'), '<!-- a -->\n**{{name}}** <= {{ratio}}x{{#note}} ({{note}}){{/note}}.\n\n<!-- b -->\nNo values.\n');
      const text = prose(`${section}/x`);
      expect(text('a', { name: 'a & b', ratio: 0.85, note: '' })).toBe('**a & b** <= 0.85x.');
      expect(text('a', { name: '<x>', ratio: 1, note: 'p99' })).toBe('**<x>** <= 1x (p99).');
      expect(text('b')).toBe('No values.');
      expect(() => text('a', { name: 'a' })).toThrow(/no value for ratio, note/);
      expect(() => text('c')).toThrow(/has no block "c"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
