// Small SVG charts: jobs ended per minute (stacked bars) and a duration trend (line).
import { dateTime, duration, timeOfDay } from "../format";

export function ThroughputChart({ minutes }: { minutes: { start: string; succeeded: number; failed: number }[] }) {
  const W = 560;
  const H = 140;
  const max = Math.max(1, ...minutes.map((m) => m.succeeded + m.failed));
  const bw = W / Math.max(1, minutes.length);
  const total = minutes.reduce((a, m) => a + m.succeeded + m.failed, 0);
  const y = (v: number) => (v / max) * (H - 20);
  return (
    <figure class="chart">
      <svg width={W} height={H} class="chart-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`${total} jobs ended in the last hour`}>
        {minutes.map((m, i) => (
          <g key={m.start}>
            <rect x={i * bw + 1} y={H - 16 - y(m.succeeded)} width={bw - 2} height={y(m.succeeded)} class="state-SUCCEEDED bar" />
            <rect x={i * bw + 1} y={H - 16 - y(m.succeeded) - y(m.failed)} width={bw - 2} height={y(m.failed)} class="state-FAILED bar" />
            <title>{`${timeOfDay(m.start)}: ${m.succeeded} succeeded, ${m.failed} failed`}</title>
          </g>
        ))}
        <line x1="0" x2={W} y1={H - 16} y2={H - 16} class="tick" />
        {minutes.length > 0 && (
          <>
            <text x="2" y={H - 3} class="tick-label">{timeOfDay(minutes[0].start).slice(0, 5)}</text>
            <text x={W - 2} y={H - 3} class="tick-label" text-anchor="end">
              {timeOfDay(minutes[minutes.length - 1].start).slice(0, 5)}
            </text>
            <text x="2" y="10" class="tick-label">{max}/min</text>
          </>
        )}
      </svg>
      <figcaption>
        Jobs ended per minute, last hour: {total} (since the server started). <span class="swatch state-SUCCEEDED" /> succeeded{" "}
        <span class="swatch state-FAILED" /> failed
      </figcaption>
    </figure>
  );
}

export function TrendChart({ points, label }: { points: { at: string; ms: number; state: string }[]; label: string }) {
  const W = 560;
  const H = 140;
  if (points.length === 0) return <p class="muted">No finished runs of this step yet.</p>;
  const max = Math.max(1, ...points.map((p) => p.ms));
  const x = (i: number) => (points.length === 1 ? W / 2 : 30 + (i / (points.length - 1)) * (W - 40));
  const y = (v: number) => H - 18 - (v / max) * (H - 36);
  const d = points.map((p, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(p.ms).toFixed(1)}`).join(" ");
  return (
    <figure class="chart">
      <svg width={W} height={H} class="chart-svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label}>
        <line x1="30" x2={W} y1={H - 18} y2={H - 18} class="tick" />
        <text x="2" y="10" class="tick-label">{duration(max)}</text>
        <path d={d} class="trend-line" />
        {points.map((p, i) => (
          <circle key={i} cx={x(i)} cy={y(p.ms)} r="3.5" class={`state-${p.state} trend-dot`}>
            <title>{`${dateTime(p.at)}: ${duration(p.ms)} (${p.state})`}</title>
          </circle>
        ))}
      </svg>
      <figcaption>{label}</figcaption>
    </figure>
  );
}
