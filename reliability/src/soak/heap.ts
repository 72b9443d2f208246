/**
 * The server's V8 heap, read from its own `--trace-gc` lines on standard output (nothing to install, no inspector):
 * each collection prints the heap used before and after it. What a Mark-Compact (a full collection) leaves is what is
 * really held; the heap used after the latest collection of any kind is the figure closest to now.
 */
export class HeapWatcher {
  /** MiB used after the latest collection of any kind. */
  usedMiB: number | undefined;
  /** MiB used after the latest full collection (Mark-Compact). */
  afterFullGcMiB: number | undefined;
  fullGcs = 0;
  private partial = '';

  /** Feed it the server's standard output. */
  read(text: string): void {
    const lines = (this.partial + text).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      const gc = /ms: (Scavenge|Minor Mark-Compact|Mark-Compact(?: \(reduce\))?)\s+[\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/.exec(line);
      if (!gc) continue;
      const after = Number(gc[2]);
      this.usedMiB = after;
      if (gc[1]!.startsWith('Mark-Compact')) {
        this.afterFullGcMiB = after;
        this.fullGcs++;
      }
    }
  }
}
