import type { AppTenancy } from '@repo/db/tenancy';
import { openDeployment, type Deployment } from './deployment';
import { readDeploymentEnv, type DeploymentEnv } from './env';
import { EXIT, type ExitCode } from './exit-codes';
import type { Io } from './io';

/** What every command gets: the streams, the environment, and the deployment built from it on first use. */
export interface CliContext {
  io: Io;
  env: NodeJS.ProcessEnv;
  /** The deployment's variables, validated on first use (exit 2 naming what is missing). */
  deploymentEnv(): DeploymentEnv;
  /** The deployment, opened on first use: commands validate their input first, so bad input opens no connection. */
  tenancy(): AppTenancy;
  /** The exit status of a command that finished but found a problem (a failed migration, audit findings). */
  exitCode: ExitCode;
}

export function createContext(io: Io, env: NodeJS.ProcessEnv): { context: CliContext; close(): Promise<void> } {
  let deploymentEnv: DeploymentEnv | undefined;
  let deployment: Deployment | undefined;
  const context: CliContext = {
    io,
    env,
    deploymentEnv: () => (deploymentEnv ??= readDeploymentEnv(env)),
    tenancy: () => (deployment ??= openDeployment(context.deploymentEnv())).tenancy,
    exitCode: EXIT.ok,
  };
  return { context, close: async () => deployment?.close() };
}
