import { z } from 'zod';

/**
 * Free text the console stores (a tenant's name, an admin's name, the reason of a support request): trimmed, 1 to `max`
 * characters, and without a NUL character, which PostgreSQL's text cannot hold: the insert would fail with an encoding
 * error in the middle of the work instead of a message beside the field.
 */
export function storedText(max: number, empty: string) {
  return z
    .string()
    .trim()
    .min(1, empty)
    .max(max, `At most ${max} characters.`)
    .refine((value) => !value.includes('\0'), 'Remove the NUL character (\\0): it cannot be stored.');
}
