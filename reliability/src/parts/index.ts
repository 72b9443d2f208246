import type { Part } from '../part';
import { faultsPart } from './faults';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [faultsPart];

export const PART_NAMES = PARTS.map((part) => part.name);
