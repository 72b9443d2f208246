import type { Check } from '../part';
import type { Round } from './round';

function tally(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].map(([v, n]) => `${v} ${n}`).join(', ');
}

const MIN_ROUNDS_FOR_MID_CALL = 10;

/** One command's rounds as a check: every rerun completed, and audit, leftovers, service, foreign rows and writes all clean. */
export function verdict(name: string, rounds: Round[], measuredMs: Map<string, number>): Check {
  const sum = (pick: (r: Round) => number) => rounds.reduce((total, r) => total + pick(r), 0);
  const failedReruns = rounds.flatMap((r) => ('error' in r.kill.rerun ? [`${r.label}: ${r.kill.rerun.error}`] : []));
  const writes = rounds.some((r) => r.writes);
  const midCall = rounds.filter((r) => !r.kill.finished && r.kill.landed !== 'start').length;
  const figures: Record<string, number | string> = {
    kills: rounds.length,
    'reruns completed': rounds.length - failedReruns.length,
    'of them: the call was done before the kill (rerun: already exists)': rounds.filter((r) => 'alreadyDone' in r.kill.rerun).length,
    'audit findings': sum((r) => r.findings.length),
    leftovers: sum((r) => r.leftovers.length),
    'not serving': sum((r) => r.notServing.length),
    'foreign rows': sum((r) => r.foreign),
    ...(writes
      ? {
          // Each round counts every write of the writer so far: the last round has them all.
          'acked writes': rounds.at(-1)?.writes?.acknowledged ?? 0,
          'failed writes': rounds.at(-1)?.writes?.failed ?? 0,
          lost: Math.max(...rounds.map((r) => r.writes?.lost ?? 0)),
          doubled: Math.max(...rounds.map((r) => r.writes?.doubled ?? 0)),
        }
      : {}),
    'kills during the call': midCall,
    'kills after the call had finished': rounds.filter((r) => r.kill.finished).length,
    'distinct landings': new Set(rounds.map((r) => r.kill.landed)).size,
    'landed at (last step reached)': tally(rounds.map((r) => r.kill.landed)),
    'catalog after the kill': tally(rounds.map((r) => r.afterKill)),
    'uninterrupted run, ms': [...measuredMs].map(([label, ms]) => `${label} ${Math.round(ms)}`).join(', '),
  };
  // A kill that landed before the first step or after the end tests no crash. Enough rounds (a full run's) must have
  // some in between; a short run's few may, by the draw, have none.
  const problems = [
    ...failedReruns,
    ...(rounds.length >= MIN_ROUNDS_FOR_MID_CALL && midCall === 0 ? [`none of the ${rounds.length} kills landed during the call`] : []),
    ...rounds.flatMap((r) => [
      ...r.findings.map((f) => `${r.label}: audit ${f}`),
      ...r.leftovers.map((l) => `${r.label}: leftover ${l}`),
      ...r.notServing.map((s) => `${r.label}: ${s} does not serve as it should`),
      ...(r.foreign ? [`${r.label}: ${r.foreign} foreign row(s)`] : []),
      ...(r.writes?.lost ? [`${r.label}: ${r.writes.lost} acknowledged write(s) lost`] : []),
      ...(r.writes?.doubled ? [`${r.label}: ${r.writes.doubled} write(s) doubled`] : []),
    ]),
  ];
  return {
    name,
    figures,
    must: `every rerun completes (reruns = kills)${rounds.length >= MIN_ROUNDS_FOR_MID_CALL ? ', some kills land during the call' : ''}; after it audit() finds nothing, nothing is left over, the tenants serve, no foreign rows${writes ? ', no acknowledged write lost or doubled' : ''}`,
    passed: rounds.length > 0 && problems.length === 0,
    ...(problems.length ? { detail: problems.slice(0, 8).join('; ') } : {}),
  };
}
