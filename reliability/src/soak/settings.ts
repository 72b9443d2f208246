import type { Mode } from '../part';

/** How long and how hard the soak runs, and what "no growth" allows. */
export interface SoakSettings {
  /** Signed-in users, each looping on its own. */
  users: number;
  /** Seconds of load measured, after the warm-up. */
  seconds: number;
  /**
   * The warm-up before it, left out of the growth comparison: until this many seconds passed, warmupRequests were
   * answered and the server's heap went through a full collection under load (at most 3 x warmupSeconds). A fresh
   * Next.js server grows for its first few hundred requests (route modules loaded on first use, its caches filling, the
   * old generation growing to its first Mark-Compact: 160 to 310 MiB over the first ~500 here), whatever the clock says.
   */
  warmupSeconds: number;
  warmupRequests: number;
  /** Seconds between samples of the server's memory and the database's connections. */
  sampleEvery: number;
  /** A user's pause between two requests, ms (uniform in [min, max]): what a person reading a page does, shortened. */
  thinkMs: [number, number];
  /**
   * RSS may grow from the first third's median to the last third's by this share of the first, or by rssSlackMiB,
   * whichever is larger. RSS follows V8's heap sizing, not only what is held: the old generation grows to several times
   * the live heap before a full collection (84 MiB live, 310 MiB before the second Mark-Compact here) and RSS keeps
   * that high-water mark, plus glibc arenas given back lazily. In the full run that settles within the 2-minute warm-up:
   * 15% or 64 MiB. The short run's minute is still inside it (330 to 460 MiB over its minute here with a steady live
   * heap; a CI run on a loaded machine went from a 298 to a 465 MiB median, 167 MiB, while its live heap stayed at 83
   * MiB), so it allows 256 MiB: it still catches a gross leak (256 KiB a request is over 400 MiB between the thirds'
   * medians at the 45 requests a second it measures), the live-heap bound below and the full run the slow ones.
   */
  rssGrowthShare: number;
  rssSlackMiB: number;
  /**
   * The live heap (what the last full collection left) may grow from the start of the measured load to its end by this
   * share or heapSlackMiB, whichever is larger: 84 to 89 MiB over a short run here (caches filling to their bounds).
   */
  heapGrowthShare: number;
  heapSlackMiB: number;
  /** Database connections: the last third's maximum may exceed the first third's by at most this many. */
  connectionSlack: number;
  /** The app's pool for tenant requests (DATABASE_POOL_SIZE), set explicitly so the cap below is the one configured. */
  appPoolSize: number;
}

export function soakSettings(mode: Mode): SoakSettings {
  const common = {
    users: 50,
    thinkMs: [500, 1500] as [number, number],
    rssGrowthShare: 0.15,
    heapGrowthShare: 0.2,
    heapSlackMiB: 32,
    connectionSlack: 2,
    appPoolSize: 10,
  };
  return mode === 'full'
    ? { ...common, seconds: 600, warmupSeconds: 120, warmupRequests: 1000, sampleEvery: 5, rssSlackMiB: 64 }
    : { ...common, seconds: 60, warmupSeconds: 30, warmupRequests: 500, sampleEvery: 2, rssSlackMiB: 256 };
}
