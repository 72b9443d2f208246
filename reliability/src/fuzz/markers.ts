/**
 * Every row the fuzzer writes names its tenant in its text column: `fz:<slug>:<row>:<version>`. `row` numbers the
 * row for the whole run (an insert), `version` the write that last set the text (0 for the insert, else the update's
 * number). A row read anywhere is checked against the tenant it was read for by its tenant_id and by this marker.
 */
export interface Marker {
  slug: string;
  row: number;
  version: number;
}

const PATTERN = /^fz:([a-z][a-z0-9_]{1,47}):(\d+):(\d+)$/;

export function marker(slug: string, row: number, version: number): string {
  return `fz:${slug}:${row}:${version}`;
}

/** The marker in `text`, or undefined when it carries none (then the row is not one of the fuzzer's). */
export function parseMarker(text: unknown): Marker | undefined {
  if (typeof text !== 'string') return undefined;
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  return { slug: match[1]!, row: Number(match[2]), version: Number(match[3]) };
}
