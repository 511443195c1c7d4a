/**
 * Customers per stage as horizontal bars, with the last days' flows in (+) and out (−)
 * of each stage beside them. Hand-rolled SVG; the same numbers are in a table below it
 * for screen readers and for copying.
 */

import type { FunnelRow } from "../modules/overview/funnel";
import { formatCount, formatShare } from "../format/numbers";

const ROW = 44;
const LABEL = 170;
const VALUE = 190;
const WIDTH = 980;

export function StageFunnel({ rows, days }: { rows: FunnelRow[]; days: number }) {
  const barSpace = WIDTH - LABEL - VALUE;
  const height = rows.length * ROW + 8;
  const summary = rows.map((row) => `${row.label}: ${formatCount(row.count)}`).join(", ");
  return (
    <svg className="chart" viewBox={`0 0 ${WIDTH} ${height}`} role="img" aria-label={`Customers per stage: ${summary}`}>
      {rows.map((row, index) => {
        const y = index * ROW + 4;
        const width = Math.max(row.count > 0 ? 3 : 0, row.width * barSpace);
        const x = LABEL + (barSpace - width) / 2;
        return (
          <g key={row.stage}>
            <text x={0} y={y + 17} fontSize={14} fontWeight={600}>
              {row.label}
            </text>
            <text x={0} y={y + 33} fontSize={11} className="muted">
              {formatShare(row.share, 0)} of customers
            </text>
            <rect x={LABEL} y={y + 4} width={barSpace} height={ROW - 12} rx={6} className="bar--muted" opacity={0.35} />
            <rect x={x} y={y + 4} width={width} height={ROW - 12} rx={6} className="bar" />
            {width >= 48 ? (
              <text x={LABEL + barSpace / 2} y={y + 25} fontSize={13} fontWeight={700} textAnchor="middle" className="on-bar">
                {formatCount(row.count)}
              </text>
            ) : (
              <text x={x + width + 8} y={y + 25} fontSize={13} fontWeight={700}>
                {formatCount(row.count)}
              </text>
            )}
            <text x={WIDTH} y={y + 17} fontSize={12} textAnchor="end">
              +{formatCount(row.inflow)} in · −{formatCount(row.outflow)} out
            </text>
            <text x={WIDTH} y={y + 33} fontSize={11} textAnchor="end" className="muted">
              {days} days, net {row.net >= 0 ? "+" : "−"}
              {formatCount(Math.abs(row.net))}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
