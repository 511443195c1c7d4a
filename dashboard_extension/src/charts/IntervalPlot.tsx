/**
 * A forest plot: one row per item, its estimate as a dot and its 95 % interval as a line,
 * against a dashed zero line. An interval that crosses zero reads as "not sure yet".
 */

import { linearScale, niceDomain } from "./scale";

export interface IntervalRow {
  label: string;
  estimate: number | null;
  low: number | null;
  high: number | null;
}

const ROW = 34;
const LABEL = 220;
const WIDTH = 980;
const PAD = 16;

export function IntervalPlot({ rows, format, title }: { rows: IntervalRow[]; format: (value: number) => string; title: string }) {
  const values = rows.flatMap((row) => [row.low, row.high, row.estimate]).filter((v): v is number => v !== null && Number.isFinite(v));
  const { domain, ticks } = niceDomain(Math.min(0, ...values), Math.max(0, ...values), 4);
  const x = linearScale(domain, [LABEL + PAD, WIDTH - PAD]);
  const height = rows.length * ROW + 30;
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={title}>
      {ticks.map((tick) => (
        <g key={tick}>
          <line x1={x(tick)} x2={x(tick)} y1={0} y2={rows.length * ROW} className={tick === 0 ? "zero" : "axis"} />
          <text x={x(tick)} y={rows.length * ROW + 18} fontSize={11} textAnchor="middle" className="muted">
            {format(tick)}
          </text>
        </g>
      ))}
      {rows.map((row, index) => {
        const y = index * ROW + ROW / 2;
        const complete = row.low !== null && row.high !== null && row.estimate !== null;
        return (
          <g key={row.label}>
            <text x={0} y={y + 4} fontSize={13}>
              {row.label}
            </text>
            {complete ? (
              <>
                <line x1={x(row.low!)} x2={x(row.high!)} y1={y} y2={y} className="whisker" />
                <line x1={x(row.low!)} x2={x(row.low!)} y1={y - 6} y2={y + 6} className="whisker" />
                <line x1={x(row.high!)} x2={x(row.high!)} y1={y - 6} y2={y + 6} className="whisker" />
                <circle cx={x(row.estimate!)} cy={y} r={5} className="point" />
              </>
            ) : (
              <text x={LABEL + PAD} y={y + 4} fontSize={12} className="muted">
                not enough data yet
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}
