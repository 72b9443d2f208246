import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SecretsProvider } from './provider';

/** Secrets in a JSON file (mode 0600), rewritten atomically; writes are serialised within the process. */
export class FileSecretsProvider implements SecretsProvider {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {}

  async get(key: string): Promise<string | undefined> {
    const all = await this.read();
    // Own keys only: "constructor" is a valid slug, and a plain object's inherited one is a function.
    return Object.hasOwn(all, key) ? all[key] : undefined;
  }

  set(key: string, value: string): Promise<void> {
    return this.update((all) => ({ ...all, [key]: value }));
  }

  delete(key: string): Promise<void> {
    return this.update((all) => {
      const { [key]: _removed, ...rest } = all;
      return rest;
    });
  }

  private update(change: (all: Record<string, string>) => Record<string, string>): Promise<void> {
    const next = this.queue.then(async () => {
      const updated = change(await this.read());
      await mkdir(dirname(this.path), { recursive: true });
      const partial = `${this.path}.partial`;
      await writeFile(partial, `${JSON.stringify(updated, null, 2)}\n`, { mode: 0o600 });
      await rename(partial, this.path);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async read(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(this.path, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }
}
