import type { Part } from '../part';
import { crashes } from './crashes';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [crashes];

export const PART_NAMES = PARTS.map((part) => part.name);
