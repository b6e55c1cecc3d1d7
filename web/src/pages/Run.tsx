import { useEffect, useMemo, useState } from "preact/hooks";
import { get, post, q, type Pipeline, type Run as RunData, type StepSpec } from "../api";
import { Action } from "../components/Action";
import { Gantt } from "../components/Gantt";
import { Graph } from "../components/Graph";
import { LogView } from "../components/LogView";
import { State } from "../components/State";
import { dateTime, duration, shortId, toMs } from "../format";
import { useDebounced, useLoad, useNow } from "../hooks";
import { href, navigate } from "../route";
import { useCan } from "../session";
import { followEvents } from "../stream";
import { ErrorBox } from "./common";
import { stepStateOfJob } from "./Pipeline";

export function Run({ id, initialStep }: { id: string; initialStep: string | null }) {
  const canAct = useCan("operator");
  const run = useLoad(() => get<RunData>(`/api/v1/runs/${q(id)}`), [id]);
  const pipelineName = run.data?.pipeline ?? "";
  const pipeline = useLoad(
    () => (pipelineName ? get<Pipeline>(`/api/v1/pipelines/${q(pipelineName)}`).catch(() => null) : Promise.resolve(null)),
    [pipelineName],
  );
  const [live, setLive] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<string | null>(initialStep);
  const now = useNow(1000);
  const refresh = useDebounced(run.reload, 250);

  useEffect(() => {
    if (!pipelineName) return;
    return followEvents({ pipeline: pipelineName }, (e) => {
      const detail = e.detail;
      if (e.type === "job" && detail.runId === id && detail.step) {
        const state = stepStateOfJob(detail.status);
        if (state) setLive((old) => ({ ...old, [detail.step]: state }));
        refresh();
      } else if (e.type === "run" && detail.runId === id) {
        refresh();
      }
    });
  }, [pipelineName, id]);

  const r = run.data;
  // The graph's edges come from the pipeline's current version; a step it no longer has is
  // drawn without edges.
  const specs: StepSpec[] = useMemo(() => {
    if (!r) return [];
    const known = new Map((pipeline.data?.steps ?? []).map((s) => [s.name, s]));
    return r.steps.map((s) => known.get(s.name) ?? { name: s.name, command: "", definition: "", array: 0, depends_on: [] });
  }, [r, pipeline.data]);
  const states = useMemo(() => {
    const out: Record<string, string> = {};
    for (const s of r?.steps ?? []) {
      out[s.name] = s.state;
      const override = live[s.name];
      if (override && (s.state === "PENDING" || s.state === "RUNNING")) out[s.name] = override;
    }
    return out;
  }, [r, live]);

  if (!r) return run.error ? <ErrorBox error={run.error} /> : <p class="muted">Loading…</p>;
  const step = r.steps.find((s) => s.name === selected) ?? null;
  const started = toMs(r.created_at) ?? now;
  const ended = toMs(r.stopped_at);

  return (
    <div class="page" data-testid="run" data-run-state={r.state}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href("/pipelines")}>Pipelines</a> /{" "}
        <a href={href(`/pipelines/${encodeURIComponent(r.pipeline)}`)}>{r.pipeline}</a> / run {shortId(r.id)}
      </nav>
      <header class="page-head">
        <h1>
          {r.pipeline} <span class="muted">{dateTime(r.logical_date)}</span> <State state={r.state} />
        </h1>
        {canAct && (
          <div class="actions">
            {r.state === "RUNNING" && (
              <Action
                label="Cancel run"
                danger
                testId="cancel-run"
                confirm="Cancel this run? Steps not yet started will not run; running steps are stopped."
                run={() => post(`/api/v1/runs/${q(r.id)}/cancel`, { reason: "cancelled from the web UI" })}
                onDone={run.reload}
              />
            )}
            {(r.state === "FAILED" || r.state === "CANCELLED") && (
              <Action
                label="Rerun from failure"
                testId="rerun"
                run={async () => {
                  const again = await post<RunData>(`/api/v1/runs/${q(r.id)}/rerun`, { from_failure: true });
                  setLive({});
                  if (again.id !== r.id) navigate(`/runs/${encodeURIComponent(again.id)}`);
                  else run.reload();
                }}
              />
            )}
          </div>
        )}
      </header>
      <p class="muted">
        {r.trigger} run · version {r.version} · try {r.tries} · started {dateTime(r.created_at)} · {ended ? `took ${duration(ended - started)}` : `running for ${duration(now - started)}`}
        {r.reason && <> · {r.reason}</>}
      </p>
      <section aria-labelledby="g-h">
        <h2 id="g-h">Graph</h2>
        <Graph steps={specs} states={states} selected={selected} onSelect={setSelected} />
      </section>
      <section aria-labelledby="t-h">
        <h2 id="t-h">Timeline</h2>
        <Gantt steps={r.steps.map((s) => ({ ...s, state: states[s.name] ?? s.state }))} now={now} />
      </section>
      <section aria-labelledby="s-h">
        <h2 id="s-h">Steps</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Step</th>
              <th scope="col">State</th>
              <th scope="col" class="num">Tries</th>
              <th scope="col" class="num">Exit</th>
              <th scope="col">Ran</th>
              <th scope="col">Job</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {r.steps.map((s) => {
              const a = toMs(s.started_at);
              const b = toMs(s.stopped_at) ?? (a ? now : null);
              return (
                <tr key={s.name} class={s.name === selected ? "current" : ""} data-step-row={s.name}>
                  <td>
                    <button type="button" class="linkish" onClick={() => setSelected(s.name)} aria-pressed={s.name === selected}>
                      {s.name}
                    </button>
                  </td>
                  <td>
                    <State state={states[s.name] ?? s.state} />
                  </td>
                  <td class="num">{s.tries}</td>
                  <td class="num">{s.exit_code ?? "—"}</td>
                  <td>{a && b ? duration(b - a) : "—"}</td>
                  <td>{s.job_id ? <a href={href(`/jobs/${encodeURIComponent(s.job_id)}`)}>{shortId(s.job_id)}</a> : "—"}</td>
                  <td class="reason">{s.reason}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="l-h">
        <h2 id="l-h">Log{step ? ` of ${step.name}` : ""}</h2>
        {!step ? (
          <p class="muted">Select a step (in the graph or the table) to see its log.</p>
        ) : !step.job_id ? (
          <p class="muted">This step has no job yet.</p>
        ) : (
          <LogView key={step.job_id} jobId={step.job_id} follow={step.state === "RUNNING" || step.state === "PENDING"} />
        )}
      </section>
    </div>
  );
}
