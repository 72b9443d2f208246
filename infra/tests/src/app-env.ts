import { pathToFileURL } from 'node:url';
import { envModuleOf, REPO_ROOT, type AppName } from './paths';
import { run } from './processes';

export type EnvCheck = { ok: true; keys: string[] } | { ok: false; error: string };

/**
 * Validates `env` with the app's own src/env.ts, in a process that has exactly that environment (and PATH), as
 * the app's container would: env.ts parses at import and serverEnv() checks the databases and secrets.
 */
export async function checkWithAppSchema(app: AppName, env: Record<string, string>): Promise<EnvCheck> {
  const module = pathToFileURL(envModuleOf(app)).href;
  const script = `import(${JSON.stringify(module)}).then((m) => { const parsed = { ...m.env, ...m.serverEnv() }; console.log(JSON.stringify(Object.keys(parsed))); })`;
  const result = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  const lines = result.output.trim().split('\n');
  if (result.code === 0) return { ok: true, keys: JSON.parse(lines.at(-1)!) as string[] };
  return { ok: false, error: result.output.trim() };
}
