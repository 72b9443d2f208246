import { SLUG_PATTERN, SLUG_RULE_TEXT } from '@repo/tenancy/slug';
import { z } from 'zod';

/** A tenant slug, checked before any connection is opened. */
export const validSlug = z.string().regex(SLUG_PATTERN, `is not a tenant slug: ${SLUG_RULE_TEXT.replace(/^Use/, 'use')}`);
