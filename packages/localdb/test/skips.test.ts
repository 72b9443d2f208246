import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { recordSkip, SKIP_LEDGER_ENV } from '../src/skips/ledger';

describe('the skip ledger npm test summarises', () => {
  const saved = process.env[SKIP_LEDGER_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[SKIP_LEDGER_ENV];
    else process.env[SKIP_LEDGER_ENV] = saved;
  });

  it('writes one line per skip, naming the tool, the reason and the suite that asked', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'skips-'));
    try {
      process.env[SKIP_LEDGER_ENV] = path.join(dir, 'skips.jsonl');
      recordSkip('pgbouncer', 'pgbouncer not found at /nowhere');
      recordSkip('chromium', 'Chromium not found at /nowhere');
      const lines = readFileSync(path.join(dir, 'skips.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown);
      const me = fileURLToPath(import.meta.url);
      expect(lines).toEqual([
        { tool: 'pgbouncer', reason: 'pgbouncer not found at /nowhere', file: me },
        { tool: 'chromium', reason: 'Chromium not found at /nowhere', file: me },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
