import { runCli } from './program';

// The bin's entry: the process's arguments, streams and environment, and its exit status. process.env is read
// here and handed down; src/env.ts validates the variables a command needs.
process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, process.env);
