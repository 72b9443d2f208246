import type { Part } from '../part';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [];

export const PART_NAMES = PARTS.map((part) => part.name);
