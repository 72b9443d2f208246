import type { Part } from '../part';
import { fuzz } from './fuzz';
import { faultsPart } from './faults';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [fuzz, faultsPart];

export const PART_NAMES = PARTS.map((part) => part.name);
