import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index';
import { createContext } from './context';
import { EXIT, EXIT_CODES_HELP, exitCodeFor, type ExitCode } from './exit-codes';
import { ENV_HELP } from './help';
import { note, outJson, type Io } from './io';

const OVERVIEW_EXAMPLES = `
Examples:
  $ tenancy setup
  $ tenancy create --slug acme --name "Acme Inc" --strategy schema
  $ tenancy list --json
  $ tenancy migrate --concurrency 8
  $ tenancy audit || echo "isolation problems found"
  $ tenancy delete acme --archive backups/ --yes
`;

/**
 * Runs the CLI once: `argv` without node and the script (["create", "--slug", ...]). Returns the exit status;
 * never exits the process itself, so the deployment's pools are closed on every path.
 */
export async function runCli(argv: readonly string[], io: Io, env: NodeJS.ProcessEnv): Promise<ExitCode> {
  const { context, close } = createContext(io, env);
  // Commander throws instead of exiting (the pools must close first) and writes to the given streams.
  const configure = (command: Command) =>
    command
      .exitOverride()
      .configureOutput({
        writeOut: (text) => io.stdout.write(text),
        writeErr: (text) => io.stderr.write(shortLines(text)),
        outputError: (text, write) => write(oneLine(text)),
      })
      .showHelpAfterError(`(run \`${command.name() === 'tenancy' ? 'tenancy' : `tenancy ${command.name()}`} --help\` for usage)`);
  const program = configure(new Command('tenancy'))
    .description("Operate this app's multi-tenant deployment: the same library and environment as the admin app.")
    .addHelpText('after', `${OVERVIEW_EXAMPLES}\n${EXIT_CODES_HELP}\n\n${ENV_HELP}\n`);
  for (const make of COMMANDS) program.addCommand(configure(make(context)));
  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message or the help already. Help asked for is an answer (0); help shown because
      // no command was given, like every other parse error, is a usage error.
      if (error.exitCode === 0) return EXIT.ok;
      if (json) outJson(io, { error: { name: 'UsageError', message: error.message, exitCode: EXIT.usage } });
      return EXIT.usage;
    }
    const exitCode = await exitCodeFor(error);
    const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
    note(io, shortLines(`tenancy: ${message}`));
    if (json) outJson(io, { error: { name, message, exitCode } });
    return exitCode;
  } finally {
    await close();
  }
}

/** Commander quotes a refused value as it came: one holding line breaks would break its message over several lines. */
function oneLine(text: string): string {
  return `${text.replace(/\n$/, '').replace(/\r/g, '\\r').replace(/\n/g, '\\n')}\n`;
}

/**
 * Commander and the library quote a refused value or path whole: a megabyte of argument would be a megabyte of
 * error. A line too long to read keeps its start and its end (where commander lists the allowed choices).
 */
function shortLines(text: string): string {
  return text
    .split('\n')
    .map((line) => (line.length <= 300 ? line : `${line.slice(0, 150)}… (${line.length} characters) …${line.slice(-120)}`))
    .join('\n');
}
