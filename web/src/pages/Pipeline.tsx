import { useEffect, useMemo, useState } from "preact/hooks";
import { get, post, q, type Pipeline as PipelineData, type Run } from "../api";
import { Action } from "../components/Action";
import { TrendChart } from "../components/Charts";
import { Graph } from "../components/Graph";
import { State } from "../components/State";
import { dateTime, duration, relative, toMs } from "../format";
import { useDebounced, useLoad } from "../hooks";
import { href, navigate } from "../route";
import { useCan } from "../session";
import { followEvents } from "../stream";
import { ErrorBox } from "./common";

const GRID_RUNS = 30;
const TREND_RUNS = 100;

// A job's state as the step state it means while its run goes on.
export function stepStateOfJob(status: string): string | null {
  if (status === "STARTING" || status === "RUNNING") return "RUNNING";
  if (status === "SUCCEEDED" || status === "FAILED") return status;
  return null;
}

export function Pipeline({ name }: { name: string }) {
  const canRun = useCan("operator");
  const pipeline = useLoad(() => get<PipelineData>(`/api/v1/pipelines/${q(name)}`), [name]);
  // Pages of the runs grid: the tokens of the pages before the one shown.
  const [tokens, setTokens] = useState<string[]>([]);
  const token = tokens[tokens.length - 1] ?? "";
  const runs = useLoad(
    () =>
      get<{ runs: Run[]; next_token?: string }>(
        `/api/v1/pipelines/${q(name)}/runs?limit=${GRID_RUNS}${token ? `&next_token=${q(token)}` : ""}`,
      ),
    [name, token],
  );
  const trend = useLoad(() => get<{ runs: Run[] }>(`/api/v1/pipelines/${q(name)}/runs?limit=${TREND_RUNS}`), [name]);
  const [live, setLive] = useState<Record<string, string>>({});
  const [selected, setSelected] = useState<string | null>(null);
  const latest = trend.data?.runs[0] ?? null;

  const refresh = useDebounced(() => {
    runs.reload();
    trend.reload();
  }, 300);
  useEffect(
    () =>
      followEvents({ pipeline: name }, (e) => {
        if (e.type === "job" && e.detail.step) {
          const state = stepStateOfJob(e.detail.status);
          if (state) setLive((old) => ({ ...old, [`${e.detail.runId}/${e.detail.step}`]: state }));
        }
        refresh();
      }),
    [name],
  );

  const states = useMemo(() => {
    const out: Record<string, string> = {};
    if (!latest) return out;
    for (const s of latest.steps) {
      out[s.name] = s.state;
      const override = live[`${latest.id}/${s.name}`];
      if (override && (s.state === "PENDING" || s.state === "RUNNING")) out[s.name] = override;
    }
    return out;
  }, [latest, live]);

  if (!pipeline.data) return pipeline.error ? <ErrorBox error={pipeline.error} /> : <p class="muted">Loading…</p>;
  const p = pipeline.data;
  const steps = p.steps ?? [];
  const step = selected ?? steps[0]?.name ?? null;
  const gridRuns = [...(runs.data?.runs ?? [])].reverse();
  const trendPoints = [...(trend.data?.runs ?? [])]
    .reverse()
    .map((r) => {
      const s = r.steps.find((x) => x.name === step);
      const started = toMs(s?.started_at);
      const stopped = toMs(s?.stopped_at);
      return s && started !== null && stopped !== null ? { at: r.logical_date, ms: stopped - started, state: s.state } : null;
    })
    .filter((x): x is { at: string; ms: number; state: string } => x !== null);

  return (
    <div class="page" data-testid="pipeline">
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href("/pipelines")}>Pipelines</a> / {p.name}
      </nav>
      <header class="page-head">
        <h1>
          {p.name} <span class="muted">v{p.version}</span>
        </h1>
        {canRun && (
          <Action
            label="Run now"
            testId="start-run"
            run={async () => {
              const run = await post<Run>(`/api/v1/pipelines/${q(name)}/runs`, {});
              navigate(`/runs/${encodeURIComponent(run.id)}`);
            }}
          />
        )}
      </header>
      {p.description && <p>{p.description}</p>}
      <p class="muted">
        {p.schedule ? (
          <>
            Scheduled <code>{p.schedule.expression}</code> in {p.schedule.timezone}
            {p.schedule.state !== "ENABLED" ? " (paused)" : ""}; next fire{" "}
            {p.schedule.next_due ? `${dateTime(p.schedule.next_due)} (${relative(p.schedule.next_due)})` : "none"} ·{" "}
            <a href={href(`/schedules/pipelines/${encodeURIComponent(p.name)}`)}>schedule</a>
          </>
        ) : (
          "Not scheduled."
        )}
      </p>
      <section aria-labelledby="graph-h">
        <h2 id="graph-h">
          Graph{" "}
          {latest && (
            <span class="muted small">
              latest run <a href={href(`/runs/${encodeURIComponent(latest.id)}`)}>{dateTime(latest.logical_date)}</a>{" "}
              <State state={latest.state} />
            </span>
          )}
        </h2>
        <Graph steps={steps} states={states} selected={step} onSelect={setSelected} />
      </section>
      <section aria-labelledby="grid-h">
        <h2 id="grid-h">Runs × steps</h2>
        {runs.error && <ErrorBox error={runs.error} />}
        {gridRuns.length === 0 ? (
          <p class="muted">No runs yet.</p>
        ) : (
          <div class="grid-scroll">
            <table class="grid" data-testid="run-grid">
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  {gridRuns.map((r) => (
                    <th scope="col" key={r.id} class="grid-head">
                      <a href={href(`/runs/${encodeURIComponent(r.id)}`)} title={`${dateTime(r.logical_date)} ${r.state}`}>
                        <span class={`cell state-${r.state}`} />
                      </a>
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {steps.map((s) => (
                  <tr key={s.name}>
                    <th scope="row">
                      <button type="button" class={`linkish${s.name === step ? " current" : ""}`} onClick={() => setSelected(s.name)}>
                        {s.name}
                      </button>
                    </th>
                    {gridRuns.map((r) => {
                      const st = r.steps.find((x) => x.name === s.name);
                      const state = st?.state ?? "NONE";
                      const d = st ? (toMs(st.stopped_at) ?? 0) - (toMs(st.started_at) ?? 0) : 0;
                      return (
                        <td key={r.id}>
                          <a
                            href={href(`/runs/${encodeURIComponent(r.id)}?step=${encodeURIComponent(s.name)}`)}
                            class={`cell state-${state}`}
                            title={`${s.name} · ${dateTime(r.logical_date)} · ${state}${d > 0 ? ` · ${duration(d)}` : ""}`}
                            aria-label={`${s.name} in run ${dateTime(r.logical_date)}: ${state}`}
                          />
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div class="pager">
          <button type="button" disabled={tokens.length === 0} onClick={() => setTokens(tokens.slice(0, -1))}>
            Newer runs
          </button>
          <button type="button" disabled={!runs.data?.next_token} onClick={() => setTokens([...tokens, runs.data!.next_token!])}>
            Older runs
          </button>
        </div>
      </section>
      <section aria-labelledby="trend-h">
        <h2 id="trend-h">Duration of {step ?? "a step"}</h2>
        <label>
          Step{" "}
          <select value={step ?? ""} onChange={(e) => setSelected((e.target as HTMLSelectElement).value)}>
            {steps.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <TrendChart points={trendPoints} label={`Running time of ${step} over the last ${trendPoints.length} runs`} />
      </section>
    </div>
  );
}
