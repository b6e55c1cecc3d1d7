// A job's log, followed live while the job runs (the server streams lines as the job writes
// them and ends the stream when the attempt ends). Keeps the newest lines only, and scrolls
// along while the view is at the bottom.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { followSse } from "../stream";

const MAX_LINES = 5000;

interface Line {
  timestamp: number;
  stream: string;
  message: string;
}

export function LogView({ jobId, attempt, follow }: { jobId: string; attempt?: number; follow: boolean }) {
  const [lines, setLines] = useState<Line[]>([]);
  const [status, setStatus] = useState<string>("connecting");
  const box = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);

  useEffect(() => {
    setLines([]);
    setStatus("connecting");
    const params = new URLSearchParams();
    if (follow) params.set("follow", "true");
    if (attempt) params.set("attempt", String(attempt));
    let pending: Line[] = [];
    let timer: number | undefined;
    const flush = () => {
      timer = undefined;
      const add = pending;
      pending = [];
      setLines((old) => {
        const next = old.concat(add);
        return next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
      });
    };
    const stop = followSse(`/api/v1/jobs/${encodeURIComponent(jobId)}/logs?${params}`, {
      reconnect: false,
      onOpen: () => setStatus(follow ? "following" : "loaded"),
      onMessage: (m) => {
        if (m.event === "log") {
          pending.push(JSON.parse(m.data));
          if (timer === undefined) timer = window.setTimeout(flush, 50);
        } else if (m.event === "end") {
          const end = JSON.parse(m.data);
          setStatus(end.jobEnded ? `ended: ${end.status}` : `attempt ${end.attempt} ended`);
        }
      },
      onEnd: () => {
        flush();
        setStatus((s) => (s === "following" || s === "connecting" ? "ended" : s));
      },
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [jobId, attempt, follow]);

  useLayoutEffect(() => {
    if (atBottom.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);

  return (
    <div class="logview">
      <div class="log-status" data-testid="log-status">
        {lines.length} lines · {status}
      </div>
      <pre
        ref={box}
        class="log"
        tabIndex={0}
        aria-label="Job log"
        aria-live={follow ? "polite" : "off"}
        onScroll={(e) => {
          const el = e.currentTarget as HTMLPreElement;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {lines.length === 0 ? <span class="muted">(no output yet)</span> : null}
        {lines.map((l, i) => (
          <div key={i} class={`log-line log-${l.stream}`}>
            {l.message}
          </div>
        ))}
      </pre>
    </div>
  );
}
