#!/usr/bin/env node
// `tenancy`: the CLI's TypeScript sources run through tsx, as the repository's other tools run (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
