import { get, type Pipeline } from "../api";
import { Dot } from "../components/State";
import { dateTime, relative } from "../format";
import { useLoad } from "../hooks";
import { href } from "../route";
import { ErrorBox } from "./common";

export function Pipelines() {
  const list = useLoad(() => get<{ pipelines: Pipeline[] }>("/api/v1/pipelines"), [], 10_000);
  if (!list.data) return list.error ? <ErrorBox error={list.error} /> : <p class="muted">Loading…</p>;
  const pipelines = list.data.pipelines;
  return (
    <div class="page" data-testid="pipelines">
      <h1>Pipelines</h1>
      {pipelines.length === 0 ? (
        <p class="muted">
          No pipelines yet. Apply one with <code>nightshift pipeline apply FILE</code>.
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Pipeline</th>
              <th scope="col" class="num">Steps</th>
              <th scope="col">Last runs (newest right)</th>
              <th scope="col">Schedule</th>
              <th scope="col">Next fire</th>
            </tr>
          </thead>
          <tbody>
            {pipelines.map((p) => (
              <tr key={p.name} data-pipeline={p.name}>
                <td>
                  <a href={href(`/pipelines/${encodeURIComponent(p.name)}`)}>{p.name}</a>
                  <span class="muted"> v{p.version}</span>
                  {p.description && <div class="muted small">{p.description}</div>}
                </td>
                <td class="num">{p.step_count}</td>
                <td class="runs-squares">
                  {[...p.recent_runs].reverse().map((r) => (
                    <a key={r.id} href={href(`/runs/${encodeURIComponent(r.id)}`)} class="square-link" aria-label={`run ${r.logical_date}: ${r.state}`}>
                      <Dot state={r.state} title={`${dateTime(r.logical_date)}: ${r.state}`} />
                    </a>
                  ))}
                  {p.recent_runs.length === 0 && <span class="muted">no runs</span>}
                </td>
                <td>
                  {p.schedule ? (
                    <>
                      <code>{p.schedule.expression}</code> <span class="muted">{p.schedule.timezone}</span>
                      {p.schedule.state !== "ENABLED" && <span class="badge state-PAUSED">paused</span>}
                    </>
                  ) : (
                    <span class="muted">none</span>
                  )}
                </td>
                <td>
                  {p.schedule?.next_due ? (
                    <span title={p.schedule.next_due}>
                      {dateTime(p.schedule.next_due)} <span class="muted">({relative(p.schedule.next_due)})</span>
                    </span>
                  ) : (
                    <span class="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
