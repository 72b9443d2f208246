import type { Parameters } from 'fast-check';

/**
 * Every property test states the runs it makes in an ordinary `npm test`; `PROPERTY_SCALE` multiplies them (the full
 * reliability run sets it) and `PROPERTY_SEED` replays a run (fast-check prints the seed of a failure; the
 * reliability run passes its own seed, so its report names the one to replay).
 */
export const PROPERTY_SCALE_ENV = 'PROPERTY_SCALE';
export const PROPERTY_SEED_ENV = 'PROPERTY_SEED';

export function propertyRuns(base: number): number {
  return Math.max(1, Math.round(base * readNumber(PROPERTY_SCALE_ENV, 1)));
}

/** fast-check parameters for `fc.assert(property, propertyParams(100))`. */
export function propertyParams<T>(base: number, extra: Parameters<T> = {}): Parameters<T> {
  const seed = process.env[PROPERTY_SEED_ENV];
  return { numRuns: propertyRuns(base), ...(seed ? { seed: readNumber(PROPERTY_SEED_ENV, 0) } : {}), ...extra };
}

function readNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || (value <= 0 && name === PROPERTY_SCALE_ENV)) throw new Error(`${name} must be a positive number, not ${raw}`);
  return value;
}

export * from './hostile';
export * from './state';
