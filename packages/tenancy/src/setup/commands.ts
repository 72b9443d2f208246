import { z } from 'zod';
import { TenancyConfigError } from '../errors';
import type { Parts } from '../parts';
import { installEverywhere, type InstallSummary } from './placements';

export interface RotateOptions {
  /** Seconds the replaced secret's tokens keep verifying (0 to 3600; default 0). */
  overlapSeconds?: number;
}

/** An overlap is for rolling the new secret out, not a second key: bounded, so an old secret cannot linger. */
export const MAX_OVERLAP_SECONDS = 3600;

const rotateOptions = z.object({
  overlapSeconds: z
    .number({ error: 'overlapSeconds must be a number of seconds' })
    .int('overlapSeconds must be a whole number of seconds')
    .min(0, 'overlapSeconds must not be negative')
    .max(MAX_OVERLAP_SECONDS, `overlapSeconds must be at most ${MAX_OVERLAP_SECONDS} (one hour)`)
    .default(0),
});

/** setup() and rotateContextSecret(): the tenancy objects and the context key in every database the deployment serves from. */
export function setupCommands(parts: Parts) {
  const { deployment } = parts;
  /**
   * Installs or updates everything, in every database the deployment serves from, and stores the
   * configured context key there. A database holding another key gets this one, and tokens of
   * the old key are refused at once (rotateContextSecret() offers an overlap).
   */
  async function setup(): Promise<void> {
    await installEverywhere(parts, { key: deployment.key, overlapSeconds: 0, endOverlap: false });
  }

  /**
   * Makes the configured context secret the only one, in every placement, database tenants
   * included. Run it from a process started with the new secret. Tokens signed with the secret it
   * replaces keep verifying for `overlapSeconds` (at most an hour), time to restart the other
   * processes with the new secret; after that they are refused everywhere. Safe to run again.
   */
  async function rotateContextSecret(options: RotateOptions = {}): Promise<InstallSummary> {
    const parsed = rotateOptions.safeParse(options);
    if (!parsed.success) throw new TenancyConfigError(`Invalid rotation: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    return installEverywhere(parts, { key: deployment.key, overlapSeconds: parsed.data.overlapSeconds, endOverlap: true });
  }

  return { setup, rotateContextSecret };
}
