/** An inline bar for a share (0–1) inside a table cell; decorative, the number is beside it. */

export function MiniBar({ share, width = 80 }: { share: number | undefined; width?: number }) {
  const filled = Math.max(0, Math.min(1, share ?? 0)) * width;
  return (
    <svg className="chart" width={width} height={8} viewBox={`0 0 ${width} 8`} aria-hidden="true" style={{ display: "inline-block", width }}>
      <rect x={0} y={0} width={width} height={8} rx={4} className="bar--muted" opacity={0.4} />
      <rect x={0} y={0} width={filled} height={8} rx={4} className="bar" />
    </svg>
  );
}
