import type { Part } from '../part';
import { fuzz } from './fuzz';
import { faultsPart } from './faults';
import { crashes } from './crashes';
import { propertiesPart } from './properties';
import { soak } from './soak';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [fuzz, faultsPart, crashes, propertiesPart, soak];

export const PART_NAMES = PARTS.map((part) => part.name);
