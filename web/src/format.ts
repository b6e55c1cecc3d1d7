// Formatting of times, durations and numbers for people.

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
export { browserZone };

export function toMs(t: string | number | null | undefined): number | null {
  if (t === null || t === undefined || t === "" || t === 0) return null;
  if (typeof t === "number") return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

// "2024-03-05 02:00:00" in `zone` (default: the browser's).
export function dateTime(t: string | number | null | undefined, zone?: string): string {
  const ms = toMs(t);
  if (ms === null) return "—";
  try {
    const parts = new Intl.DateTimeFormat("en-CA", {
      timeZone: zone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    }).formatToParts(new Date(ms));
    const v = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
    return `${v("year")}-${v("month")}-${v("day")} ${v("hour")}:${v("minute")}:${v("second")}`;
  } catch {
    return new Date(ms).toISOString();
  }
}

export function timeOfDay(t: string | number | null | undefined): string {
  return dateTime(t).slice(11);
}

// 950 ms -> "950 ms", 75 s -> "1m 15s", 2 d 3 h -> "2d 3h".
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

// "3 min ago", "in 2 h".
export function relative(t: string | number | null | undefined, now = Date.now()): string {
  const ms = toMs(t);
  if (ms === null) return "—";
  const d = ms - now;
  const text = duration(Math.abs(d));
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

export function number(n: number): string {
  return n.toLocaleString("en-US");
}

// Job and run IDs are time-ordered UUIDs: their first digits are alike for things made close
// together, so the short form keeps the last ones ("…5cdc43fc0979", "…5cdc43fc0979:2").
export function shortId(id: string): string {
  const [base, index] = id.split(":");
  const short = base.length > 13 ? "…" + base.slice(-12) : base;
  return index === undefined ? short : `${short}:${index}`;
}

// The offset of `zone` at `ms`, as "+01:00".
export function zoneOffset(ms: number, zone: string): string {
  try {
    const name = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" })
      .formatToParts(new Date(ms))
      .find((p) => p.type === "timeZoneName")?.value;
    if (!name || name === "GMT") return "+00:00";
    return name.replace("GMT", "");
  } catch {
    return "";
  }
}
