import { get, JOB_STATES, type Overview as OverviewData } from "../api";
import { ThroughputChart } from "../components/Charts";
import { State } from "../components/State";
import { browserZone, dateTime, number, relative, shortId } from "../format";
import { useLoad } from "../hooks";
import { href } from "../route";
import { useEffect } from "preact/hooks";
import { followEvents } from "../stream";
import { useDebounced } from "../hooks";
import { ErrorBox, Meter } from "./common";

const SHOWN_FIRES = 12;

// The soonest fires, but every schedule's first fire among them (an hourly schedule would
// otherwise hide a daily one), as many schedules as there are rows; in time order.
function firesToShow(fires: OverviewData["upcoming_fires"]): OverviewData["upcoming_fires"] {
  const seen = new Set<string>();
  const firsts = fires.filter((f) => {
    const key = `${f.group}/${f.schedule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const chosen = new Set(firsts.slice(0, SHOWN_FIRES));
  for (const f of fires) {
    if (chosen.size >= SHOWN_FIRES) break;
    chosen.add(f);
  }
  return fires.filter((f) => chosen.has(f));
}

export function Overview() {
  const overview = useLoad(() => get<OverviewData>("/api/v1/overview"), [], 10_000);
  const refresh = useDebounced(overview.reload, 1000);
  useEffect(() => followEvents({ type: "job,run" }, refresh), []);
  const o = overview.data;
  if (!o) return overview.error ? <ErrorBox error={overview.error} /> : <p class="muted">Loading…</p>;
  const shownFires = firesToShow(o.upcoming_fires);
  return (
    <div class="page" data-testid="overview">
      <h1>Overview</h1>
      <section aria-labelledby="jobs-h">
        <h2 id="jobs-h">Jobs by state</h2>
        <div class="tiles">
          {JOB_STATES.map((s) => (
            <a class={`tile state-border-${s}`} href={href(`/jobs?state=${s}`)} key={s} data-testid={`count-${s}`}>
              <span class="tile-number">{number(o.jobs[s] ?? 0)}</span>
              <State state={s} />
            </a>
          ))}
        </div>
      </section>
      <div class="columns">
        <section aria-labelledby="queues-h">
          <h2 id="queues-h">
            <a href={href("/queues")}>Queues</a>
          </h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Queue</th>
                <th scope="col" class="num">Waiting</th>
                <th scope="col" class="num">Running</th>
                <th scope="col">Capacity used</th>
              </tr>
            </thead>
            <tbody>
              {o.queues.map((q) => (
                <tr key={q.name}>
                  <td>
                    <a href={href(`/jobs?queue=${encodeURIComponent(q.name)}`)}>{q.name}</a>
                    {q.state !== "ENABLED" && <span class="muted"> ({q.state})</span>}
                  </td>
                  <td class="num">{number(q.depth)}</td>
                  <td class="num">{number(q.running)}</td>
                  <td>
                    <Meter used={q.vcpus_used} total={q.vcpus_capacity} unit="vCPU" />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="tp-h">
          <h2 id="tp-h">Throughput</h2>
          <ThroughputChart minutes={o.throughput} />
        </section>
      </div>
      <div class="columns">
        <section aria-labelledby="fail-h">
          <h2 id="fail-h">Recent failures</h2>
          {o.recent_failures.length === 0 ? (
            <p class="muted">No failed jobs.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Queue</th>
                  <th scope="col">Ended</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {o.recent_failures.map((f) => (
                  <tr key={f.jobId}>
                    <td>
                      <a href={href(`/jobs/${encodeURIComponent(f.jobId)}`)} title={f.jobId}>
                        {f.jobName || shortId(f.jobId)}
                      </a>
                    </td>
                    <td>{f.queue}</td>
                    <td title={dateTime(f.stoppedAt)}>{relative(f.stoppedAt)}</td>
                    <td class="reason">
                      {f.exitCode !== null && <code>exit {f.exitCode}</code>} {f.statusReason}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        <section aria-labelledby="next-h">
          <h2 id="next-h">
            <a href={href("/schedules")}>Next 24 hours</a>
          </h2>
          {o.upcoming_fires.length === 0 ? (
            <p class="muted">No schedule fires in the next 24 hours.</p>
          ) : (
            <table class="compact">
              <thead>
                <tr>
                  <th scope="col">When ({browserZone})</th>
                  <th scope="col">Schedule</th>
                  <th scope="col">In its zone</th>
                </tr>
              </thead>
              <tbody>
                {shownFires.map((f) => (
                  <tr key={f.group + f.schedule + f.time}>
                    <td>
                      {dateTime(f.time)} <span class="muted">({relative(f.time)})</span>
                    </td>
                    <td>
                      <a href={href(`/schedules/${encodeURIComponent(f.group)}/${encodeURIComponent(f.schedule)}`)}>
                        {f.group === "default" ? f.schedule : `${f.group}/${f.schedule}`}
                      </a>
                    </td>
                    <td class="muted">
                      {f.local_time.replace("T", " ").slice(0, 19)} {f.timezone}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {o.upcoming_fires.length > shownFires.length && (
            <p class="muted">and {o.upcoming_fires.length - shownFires.length} more.</p>
          )}
        </section>
      </div>
    </div>
  );
}
