// A horizontal bar chart in plain SVG: server-rendered, no chart library, readable without JavaScript.

export interface Bar {
  label: string;
  value: number;
  /** The value as shown at the end of the bar. */
  display: string;
  color: string;
  /** Tooltip. */
  title?: string;
}

const ROW = 26;
const BAR = 16;
const LABEL_WIDTH = 120;
const VALUE_WIDTH = 72;

export function BarChart({ bars, width = 460, label }: { bars: Bar[]; width?: number; label: string }) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const plot = width - LABEL_WIDTH - VALUE_WIDTH;
  const height = Math.max(ROW, bars.length * ROW) + 4;
  return (
    <svg className="chart" role="img" aria-label={label} viewBox={`0 0 ${width} ${height}`} width="100%" preserveAspectRatio="xMinYMin meet">
      <title>{label}</title>
      <line x1={LABEL_WIDTH} x2={LABEL_WIDTH} y1={0} y2={height} className="chart-axis" />
      {bars.map((bar, i) => {
        const y = i * ROW + (ROW - BAR) / 2 + 2;
        // A non-zero value stays visible next to a much larger one.
        const w = bar.value > 0 ? Math.max(2, (bar.value / max) * plot) : 0;
        return (
          <g key={`${bar.label}-${i}`}>
            <title>{bar.title ?? `${bar.label}: ${bar.display}`}</title>
            <text x={LABEL_WIDTH - 8} y={y + BAR / 2} className="chart-label" textAnchor="end" dominantBaseline="central">
              {bar.label.length > 16 ? `${bar.label.slice(0, 15)}…` : bar.label}
            </text>
            <rect x={LABEL_WIDTH} y={y} width={w} height={BAR} rx={3} fill={bar.color} />
            <text x={LABEL_WIDTH + w + 6} y={y + BAR / 2} className="chart-value" dominantBaseline="central">
              {bar.display}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

export const STRATEGY_COLORS = { rls: '#6366f1', schema: '#14b8a6', database: '#f97316' } as const;
