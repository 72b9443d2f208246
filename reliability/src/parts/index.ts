import type { Part } from '../part';
import { fuzz } from './fuzz';
import { faultsPart } from './faults';
import { crashes } from './crashes';
import { soak } from './soak';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [fuzz, faultsPart, crashes, soak];

export const PART_NAMES = PARTS.map((part) => part.name);
