import { ApiError } from "../api";

export function ErrorBox({ error }: { error: Error }) {
  const status = error instanceof ApiError ? `${error.status} ${error.type}: ` : "";
  return (
    <div class="error-box" role="alert">
      {status}
      {error.message}
    </div>
  );
}

// "1.5 of 4 vCPU" with a bar.
export function Meter({ used, total, unit }: { used: number; total: number; unit: string }) {
  const fraction = total > 0 ? Math.min(1, used / total) : 0;
  const level = fraction >= 0.9 ? "high" : fraction >= 0.6 ? "mid" : "low";
  return (
    <span class="meter-wrap">
      <span
        class="meter"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={used}
        aria-label={`${used} of ${total} ${unit} in use`}
      >
        <span class={`meter-fill meter-${level}`} style={{ width: `${fraction * 100}%` }} />
      </span>
      <span class="meter-text">
        {+used.toFixed(2)} / {+total.toFixed(2)} {unit}
      </span>
    </span>
  );
}

export function NotFound({ what }: { what: string }) {
  return (
    <div class="page">
      <h1>Not found</h1>
      <p>{what}</p>
    </div>
  );
}
