import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root: the build context of every Dockerfile. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const INFRA_DIR = path.join(REPO_ROOT, 'infra', 'docker');
export const COMPOSE_FILE = path.join(INFRA_DIR, 'compose.yml');
export const ENV_EXAMPLE = path.join(INFRA_DIR, '.env.example');
export const INFRA_README = path.join(INFRA_DIR, 'README.md');

export type AppName = 'web' | 'admin';
export const APPS: readonly AppName[] = ['web', 'admin'];

export const appDir = (app: AppName) => path.join(REPO_ROOT, 'apps', app);
export const dockerfileOf = (app: AppName) => path.join(appDir(app), 'Dockerfile');
export const envModuleOf = (app: AppName) => path.join(appDir(app), 'src', 'env.ts');
