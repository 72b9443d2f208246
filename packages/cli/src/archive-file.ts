import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Where an archive of `slug` goes: `target` itself, or, when it is a directory (one that exists, or a path ending
 * in /), `<slug>-<time>.tar.gz` in it, as the admin app names its archives.
 */
export function archiveFile(target: string, slug: string): string {
  const isDirectory = target.endsWith('/') || target.endsWith(path.sep) || (existsSync(target) && statSync(target).isDirectory());
  if (!isDirectory) return path.resolve(target);
  return path.resolve(target, `${slug}-${new Date().toISOString().replace(/[:.]/g, '-')}.tar.gz`);
}
