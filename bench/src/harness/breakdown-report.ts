import type { Breakdown, Part } from './breakdown';
import { fmt } from './env';
import { prose } from './prose';
import type { Cell, Table } from './report';

const text = prose('breakdown');

const us = (n: number) => (Math.abs(n) < 10 ? n.toFixed(1) : fmt(n));
const total = (p: { nodeUs: number; serverUs: number }) => p.nodeUs + p.serverUs;

/**
 * The parts the security model needs whatever the code around them does: the settings statement,
 * one token check and the session reset. With everything else at zero, a call costs the baseline
 * plus these, which bounds the ratio a CPU-saturated machine can reach.
 */
const REQUIRED = ['prelude', 'check', 'reset'];

export function breakdownTables(b: Breakdown): Table[] {
  const part = (key: string) => b.parts.find((p) => p.key === key)!;
  const baseline = part('baseline');
  const queryAs = part('queryAs');
  const extra = total(queryAs) - total(baseline);
  const rows: Cell[][] = b.parts.map((p: Part) => [
    p.label,
    us(p.nodeUs),
    us(p.serverUs),
    us(total(p)),
    p.key === 'baseline' || p.key === 'queryAs' ? '' : `${((total(p) / extra) * 100).toFixed(0)}%`,
    us(p.wallUs),
    p.how,
  ]);
  const floor = total(baseline) / (total(baseline) + REQUIRED.reduce((sum, key) => sum + total(part(key)), 0));
  const profileRows = profileTable(b);
  const top = b.profiles.queryAs.libraryFiles
    .slice(0, 6)
    .map((f) => `${f.bucket} ${f.us.toFixed(1)}`)
    .join(', ');
  return [
    {
      id: 'breakdown',
      title: '1.8 Where one queryAs point lookup goes (CPU µs per call, step by step)',
      columns: ['part', 'Node µs', 'server µs', 'CPU µs', 'share of the extra', 'wall µs, one connection', 'measured as'],
      rows,
      notes: [
        text('how', { calls: fmt(b.calls), rounds: b.rounds }),
        text('reading', {
          implied: (total(baseline) / total(queryAs)).toFixed(2),
          baseline: us(total(baseline)),
          queryAs: us(total(queryAs)),
          extra: us(extra),
          floor: floor.toFixed(2),
          below: floor < 0.85 ? 'yes' : '',
          required: us(REQUIRED.reduce((sum, key) => sum + total(part(key)), 0)),
        }),
      ],
    },
    {
      id: 'node-profile',
      title: "1.9 This process's CPU by module (µs per call, V8's sampling profiler)",
      columns: ['module', 'baseline µs', 'queryAs µs', 'queryAs − baseline'],
      rows: profileRows,
      notes: [text('profile', { calls: fmt(b.profiles.queryAs.calls), top })],
    },
  ];
}

function profileTable(b: Breakdown): Cell[][] {
  const { baseline, queryAs } = b.profiles;
  const names = [...new Set([...queryAs.buckets, ...baseline.buckets].map((s) => s.bucket))];
  const of = (list: { bucket: string; us: number }[], name: string) => list.find((s) => s.bucket === name)?.us ?? 0;
  const rows: Cell[][] = names.map((name) => [
    name,
    us(of(baseline.buckets, name)),
    us(of(queryAs.buckets, name)),
    us(of(queryAs.buckets, name) - of(baseline.buckets, name)),
  ]);
  rows.push(['all of this process', us(baseline.cpuUsPerCall), us(queryAs.cpuUsPerCall), us(queryAs.cpuUsPerCall - baseline.cpuUsPerCall)]);
  return rows;
}
