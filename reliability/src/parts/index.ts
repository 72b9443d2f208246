import type { Part } from '../part';
import { propertiesPart } from './properties';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [propertiesPart];

export const PART_NAMES = PARTS.map((part) => part.name);
