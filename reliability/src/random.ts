import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/** A seeded random source: the same seed replays the same choices (the timing of concurrent work aside). */
export interface Random {
  /** An integer in [from, to], both included. */
  int(from: number, to: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** An independent stream for a named worker, so one worker's draws do not shift another's. */
  fork(label: string): Random;
}

export function randomFrom(seed: number): Random {
  return wrap(xoroshiro128plus(seed));
}

function wrap(rng: RandomGenerator): Random {
  const random: Random = {
    int: (from, to) => uniformInt(rng, from, to),
    chance: (p) => uniformInt(rng, 0, 999_999) < p * 1_000_000,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick() from an empty list');
      return items[uniformInt(rng, 0, items.length - 1)]!;
    },
    fork: (label) => randomFrom(uniformInt(rng, 0, 0x7fff_ffff) ^ hash(label)),
  };
  return random;
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 0x01000193);
  return h & 0x7fff_ffff;
}

/** A fresh seed for a run that was given none. */
export function newSeed(): number {
  return Math.floor(Math.random() * 0x7fff_ffff);
}
