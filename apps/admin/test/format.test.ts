import { describe, expect, it } from 'vitest';

import { formatBytes, formatCount, formatDate, formatDuration } from '../src/lib/format';

describe('format', () => {
  it('prints sizes in powers of 1024, as pg_size_pretty does', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 kB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MB');
    expect(formatBytes(5 * 1024 ** 5)).toBe('5120 TB');
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });

  it('prints counts with separators, times in UTC and durations in ms or s', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(undefined)).toBe('—');
    expect(formatDate('2026-05-04T15:37:12+02:00')).toBe('2026-05-04 13:37 UTC');
    expect(formatDuration(250.4)).toBe('250 ms');
    expect(formatDuration(1250)).toBe('1.3 s');
  });
});
