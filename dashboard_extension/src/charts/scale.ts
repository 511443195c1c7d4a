/** Linear scales and round tick values for the hand-rolled SVG charts. */

export type Scale = (value: number) => number;

export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const span = d1 - d0;
  return (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
}

/** A step of 1, 2 or 5 × 10^n giving about `count` ticks over [min, max]. */
export function tickStep(min: number, max: number, count = 5): number {
  const span = Math.abs(max - min);
  if (span === 0 || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** The domain widened to whole steps, and the ticks inside it. */
export function niceDomain(min: number, max: number, count = 5): { domain: [number, number]; ticks: number[] } {
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.5;
    return niceDomain(min - pad, max + pad, count);
  }
  const step = tickStep(min, max, count);
  const low = Number((Math.floor(min / step) * step).toPrecision(12));
  const high = Number((Math.ceil(max / step) * step).toPrecision(12));
  const ticks: number[] = [];
  for (let value = low; value <= high + step / 2; value += step) {
    // round away binary noise: 0.30000000000000004 → 0.3
    ticks.push(Number(value.toPrecision(12)));
  }
  return { domain: [low, high], ticks };
}
