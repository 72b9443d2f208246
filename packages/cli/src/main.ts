import { runCli } from './program';

// The bin's entry: the process's arguments, streams and environment, and its exit status. process.env is read
// here and handed down; src/env.ts validates the variables a command needs.

// A reader that stops early (`tenancy list --json | head`) closes the pipe: the command still finishes and closes
// its connections, and what it would have printed is dropped instead of crashing the process.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
}

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }, process.env);
