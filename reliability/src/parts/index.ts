import type { Part } from '../part';
import { fuzz } from './fuzz';

/** Every part, in the order a run takes them. */
export const PARTS: Part[] = [fuzz];

export const PART_NAMES = PARTS.map((part) => part.name);
