// Stands in for the `server-only` package in unit tests (vitest.config.ts): the real one throws outside a React
// server build, and these tests import src/server/ modules for their input schemas and file helpers.
export {};
