import type { Part } from '../part';
import { soak } from './soak';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [soak];

export const PART_NAMES = PARTS.map((part) => part.name);
