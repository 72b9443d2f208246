import { defineConfig } from 'vitest/config';

// The mailer against a real SMTP server (smtp-server, started by the test) and the development inbox on disk.
export default defineConfig({ test: { include: ['test/**/*.test.ts'], testTimeout: 30_000 } });
