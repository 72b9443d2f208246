import type { AppTenancy } from '@repo/db/tenancy';
import type { Deployment } from './deployment';
import type { DeploymentEnv } from './env';
import { EXIT, type ExitCode } from './exit-codes';
import type { Io } from './io';

/** What every command gets: the streams, the environment, and the deployment built from it on first use. */
export interface CliContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** The deployment's variables, validated on first use (exit 2 naming what is missing). */
  deploymentEnv(): Promise<DeploymentEnv>;
  /** The deployment, opened on first use: commands validate their input first, so bad input opens no connection. */
  tenancy(): Promise<AppTenancy>;
  /** The exit status of a command that finished but found a problem (a failed migration, audit findings). */
  exitCode: ExitCode;
}

/**
 * The library, the app's tables and the env rules are loaded only by a command that uses them (a dynamic import):
 * `--help` and refused input answer without loading pg, drizzle and the library.
 */
export function createContext(io: Io, env: NodeJS.ProcessEnv): { context: CliContext; close(): Promise<void> } {
  let deploymentEnv: Promise<DeploymentEnv> | undefined;
  let deployment: Promise<Deployment> | undefined;
  const context: CliContext = {
    io,
    env,
    deploymentEnv: () => (deploymentEnv ??= import('./env').then(({ readDeploymentEnv }) => readDeploymentEnv(env))),
    tenancy: async () => {
      deployment ??= Promise.all([context.deploymentEnv(), import('./deployment')]).then(([values, { openDeployment }]) => openDeployment(values));
      return (await deployment).tenancy;
    },
    exitCode: EXIT.ok,
  };
  return {
    context,
    close: async () => {
      await (await deployment?.catch(() => undefined))?.close();
    },
  };
}
