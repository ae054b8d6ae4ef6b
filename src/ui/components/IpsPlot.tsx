const W = 120;
const H = 22;

/** A sparkline of guest instructions per second (SVG, scaled to the largest sample shown). */
export function IpsPlot({ samples }: { samples: number[] }) {
  const max = Math.max(1, ...samples);
  const n = samples.length;
  const points = samples.map((v, i) => `${n <= 1 ? W : (i * W) / (n - 1)},${H - 1 - (v / max) * (H - 2)}`).join(' ');
  return (
    <svg className="ips-plot" width={W} height={H} viewBox={`0 0 ${W} ${H}`} aria-label="instructions per second over time" data-testid="ips-plot">
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.2" />
    </svg>
  );
}
