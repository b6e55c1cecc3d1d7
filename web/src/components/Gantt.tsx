// A run's timeline: per step, the span it waited in its queue (submitted -> started) and the
// span it ran (started -> stopped, or now while running), on one time axis.
import type { Step } from "../api";
import { duration, timeOfDay, toMs } from "../format";

const ROW = 24;
const LABEL = 150;
const WIDTH = 900;

export function Gantt({ steps, now }: { steps: Step[]; now: number }) {
  const spans = steps.map((s) => {
    const submitted = toMs(s.submitted_at);
    const started = toMs(s.started_at);
    const stopped = toMs(s.stopped_at);
    return { step: s, submitted, started, end: stopped ?? (started || submitted ? now : null) };
  });
  const times = spans.flatMap((s) => [s.submitted, s.started, s.end]).filter((t): t is number => t !== null);
  if (times.length === 0) return <p class="muted">No step has been submitted yet.</p>;
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 20);
  const scale = (t: number) => LABEL + ((t - t0) / (t1 - t0)) * (WIDTH - LABEL - 10);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => t0 + f * (t1 - t0));
  const height = ROW * spans.length + 24;
  return (
    <div class="gantt" role="img" aria-label={`Timeline of ${steps.length} steps over ${duration(t1 - t0)}`}>
      <svg width={WIDTH} height={height} viewBox={`0 0 ${WIDTH} ${height}`}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={scale(t)} x2={scale(t)} y1={0} y2={height - 20} class="tick" />
            <text x={scale(t)} y={height - 6} class="tick-label" text-anchor={t === t0 ? "start" : t === t1 ? "end" : "middle"}>
              {t === t0 ? timeOfDay(t) : `+${duration(t - t0)}`}
            </text>
          </g>
        ))}
        {spans.map((s, i) => {
          const y = i * ROW + 4;
          const queuedEnd = s.started ?? s.end;
          return (
            <g key={s.step.name} data-gantt-step={s.step.name}>
              <text x={4} y={y + 13} class="gantt-label">
                {s.step.name.length > 20 ? s.step.name.slice(0, 19) + "…" : s.step.name}
              </text>
              {s.submitted !== null && queuedEnd !== null && (
                <rect x={scale(s.submitted)} y={y + 3} width={Math.max(1, scale(queuedEnd) - scale(s.submitted))} height={ROW - 12} class="span-queued">
                  <title>{`${s.step.name} queued ${duration(queuedEnd - s.submitted)}`}</title>
                </rect>
              )}
              {s.started !== null && s.end !== null && (
                <rect x={scale(s.started)} y={y} width={Math.max(2, scale(s.end) - scale(s.started))} height={ROW - 6} class={`span-run state-${s.step.state}`}>
                  <title>{`${s.step.name} ${s.step.state} ran ${duration(s.end - s.started)}`}</title>
                </rect>
              )}
            </g>
          );
        })}
      </svg>
      <p class="legend">
        <span class="swatch span-queued" /> waiting in the queue <span class="swatch state-RUNNING" /> running{" "}
        <span class="swatch state-SUCCEEDED" /> succeeded <span class="swatch state-FAILED" /> failed
      </p>
    </div>
  );
}
