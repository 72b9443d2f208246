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
   * whichever is larger. Node's RSS moves with the old generation's collection cycle (tens of MiB for a Next.js server)
   * and with glibc arenas that are given back lazily: a bound tighter than that flags noise. A leak of 10 KiB per request
   * at this load (10 to 25 requests a second) is 6 to 15 MiB a minute: past the bound within the full run's 10 minutes.
   */
  rssGrowthShare: number;
  rssSlackMiB: number;
  /** Database connections: the last third's maximum may exceed the first third's by at most this many. */
  connectionSlack: number;
  /** The app's pool for tenant requests (DATABASE_POOL_SIZE), set explicitly so the cap below is the one configured. */
  appPoolSize: number;
}

export function soakSettings(mode: Mode): SoakSettings {
  const common = {
    users: 50,
    thinkMs: [500, 1500] as [number, number],
    warmupRequests: 1000,
    rssGrowthShare: 0.15,
    rssSlackMiB: 64,
    connectionSlack: 2,
    appPoolSize: 10,
  };
  return mode === 'full' ? { ...common, seconds: 600, warmupSeconds: 120, sampleEvery: 5 } : { ...common, seconds: 60, warmupSeconds: 30, sampleEvery: 2 };
}
