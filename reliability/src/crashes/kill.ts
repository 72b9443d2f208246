import type { LifecycleCall, LifecycleProcess } from '@repo/tenancy/test-processes';
import type { Random } from '../random';
import type { Children } from './children';

export interface Kill {
  /** When the SIGKILL was sent, ms after the call; drawn uniformly from [0, the measured uninterrupted run]. */
  delayMs: number;
  /** The last lifecycle step or progress report the process got to, or `start` when it reached none. */
  landed: string;
  /** The call had already finished when the kill came. */
  finished: boolean;
  /** The rerun's wall time in its process, or why it did not complete. */
  rerun: { ms: number } | { error: string } | { alreadyDone: string };
}

/** The call, uninterrupted, in a process of its own: its wall time there. */
export async function measure(children: Children, call: LifecycleCall, overrides = {}): Promise<number> {
  return (await children.take(overrides)).run(call);
}

/** Starts the call in a fresh process, SIGKILLs it at a random moment of its expected run, then reruns it in another. */
export async function killAndRerun(
  children: Children,
  call: LifecycleCall,
  measuredMs: number,
  random: Random,
  afterKill: () => Promise<void> = async () => undefined,
  overrides = {},
): Promise<Kill> {
  const child = await children.take(overrides);
  const delayMs = random.int(0, Math.max(1, Math.round(measuredMs)));
  child.send(call);
  await Promise.race([new Promise((resolve) => setTimeout(resolve, delayMs)), child.exited]);
  await child.kill();
  const kill = { delayMs, landed: landing(child), finished: child.events.some((e) => e.event === 'done') };
  await afterKill();
  try {
    return { ...kill, rerun: { ms: await (await children.take(overrides)).run(call) } };
  } catch (error) {
    return { ...kill, rerun: { error: error instanceof Error ? error.message : String(error) } };
  }
}

function landing(child: LifecycleProcess): string {
  const reached = child.events.filter((e) => e.event === 'step' || e.event === 'progress');
  if (child.events.some((e) => e.event === 'done')) return 'finished';
  const last = reached.at(-1);
  if (!last || !('step' in last)) return 'start';
  // migrate reports each tenant it finished: how many, not which.
  if (last.event === 'progress' && (last.step === 'done' || last.step === 'failed'))
    return `${reached.filter((e) => e.event === 'progress' && e.step === 'done').length} tenants migrated`;
  return last.step;
}
