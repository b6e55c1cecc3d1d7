import { useEffect, useState } from "preact/hooks";
import { get, post, q, type Fire, type Schedule as ScheduleData } from "../api";
import { Action } from "../components/Action";
import { browserZone, dateTime, relative, zoneOffset } from "../format";
import { useDebounced, useLoad } from "../hooks";
import { href } from "../route";
import { useCan } from "../session";
import { followEvents } from "../stream";
import { ErrorBox, NotFound } from "./common";

const FIRE_PAGE = 50;

function schedulePath(s: { group: string; name: string }) {
  return `/schedules/${encodeURIComponent(s.group)}/${encodeURIComponent(s.name)}`;
}

function targetOf(s: ScheduleData): string {
  const arn = s.target?.arn ?? "";
  if (arn.startsWith("nightshift:pipeline:")) return `pipeline ${arn.slice("nightshift:pipeline:".length)}`;
  const input = s.target?.input as any;
  const def = input?.jobDefinition ?? input?.JobDefinition;
  return def ? `job ${def}` : "job";
}

export function Schedules() {
  const list = useLoad(() => get<{ schedules: ScheduleData[] }>("/api/v1/schedules"), [], 15_000);
  const refresh = useDebounced(list.reload, 500);
  useEffect(() => followEvents({ type: "schedule" }, refresh), []);
  if (!list.data) return list.error ? <ErrorBox error={list.error} /> : <p class="muted">Loading…</p>;
  const schedules = list.data.schedules;
  return (
    <div class="page" data-testid="schedules">
      <h1>Schedules</h1>
      {schedules.length === 0 ? (
        <p class="muted">No schedules.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Schedule</th>
              <th scope="col">Expression</th>
              <th scope="col">Target</th>
              <th scope="col">State</th>
              <th scope="col">Next fire ({browserZone})</th>
              <th scope="col">In its zone</th>
            </tr>
          </thead>
          <tbody>
            {schedules.map((s) => (
              <tr key={s.group + "/" + s.name} data-schedule={s.name}>
                <td>
                  <a href={href(schedulePath(s))}>{s.name}</a>
                  {s.group !== "default" && <span class="muted"> ({s.group})</span>}
                </td>
                <td>
                  <code>{s.expression}</code>
                </td>
                <td>{targetOf(s)}</td>
                <td>
                  <span class={`badge ${s.state === "ENABLED" ? "state-ENABLED" : "state-PAUSED"}`}>
                    {s.state === "ENABLED" ? "enabled" : "paused"}
                  </span>
                </td>
                <td>
                  {s.next_due ? (
                    <>
                      {dateTime(s.next_due)} <span class="muted">({relative(s.next_due)})</span>
                    </>
                  ) : (
                    "—"
                  )}
                </td>
                <td class="muted">{s.next_due ? `${dateTime(s.next_due, s.timezone)} ${s.timezone}` : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function Schedule({ group, name }: { group: string; name: string }) {
  const canAct = useCan("operator");
  const path = `/api/v1/schedules/${q(name)}?group=${q(group)}`;
  const schedule = useLoad(() => get<ScheduleData>(path), [group, name]);
  const [tokens, setTokens] = useState<string[]>([]);
  const token = tokens[tokens.length - 1] ?? "";
  const fires = useLoad(
    () =>
      get<{ fires: Fire[]; next_token?: string }>(
        `/api/v1/schedules/${q(name)}/fires?group=${q(group)}&limit=${FIRE_PAGE}${token ? `&next_token=${q(token)}` : ""}`,
      ),
    [group, name, token],
  );
  const [note, setNote] = useState("");
  const refresh = useDebounced(() => {
    schedule.reload();
    fires.reload();
  }, 300);
  useEffect(
    () =>
      followEvents({ type: "schedule" }, (e) => {
        if (e.detail.schedule === name && (e.detail.group ?? "default") === group) refresh();
      }),
    [group, name],
  );

  if (schedule.error) {
    return (schedule.error as any).status === 404 ? <NotFound what={`No schedule ${group}/${name}.`} /> : <ErrorBox error={schedule.error} />;
  }
  const s = schedule.data;
  if (!s) return <p class="muted">Loading…</p>;
  const paused = s.state !== "ENABLED";
  const act = (what: string, body: unknown = {}) => () => post(`/api/v1/schedules/${q(name)}/${what}?group=${q(group)}`, body);

  return (
    <div class="page" data-testid="schedule" data-schedule-state={s.state}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href("/schedules")}>Schedules</a> / {group !== "default" ? `${group} / ` : ""}
        {name}
      </nav>
      <header class="page-head">
        <h1>
          {name}{" "}
          <span class={`badge ${paused ? "state-PAUSED" : "state-ENABLED"}`} data-testid="schedule-state">
            {paused ? "paused" : "enabled"}
          </span>
        </h1>
        {canAct && (
          <div class="actions">
            <label class="note">
              Note{" "}
              <input type="text" value={note} placeholder="why (optional)" onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
            </label>
            {paused ? (
              <Action label="Resume" testId="resume" run={act("resume", { note })} onDone={() => { setNote(""); refresh(); }} />
            ) : (
              <Action label="Pause" testId="pause" run={act("pause", { note })} onDone={() => { setNote(""); refresh(); }} />
            )}
            <Action label="Run now" testId="trigger" run={act("trigger")} onDone={refresh} />
          </div>
        )}
      </header>
      {s.description && <p>{s.description}</p>}
      {s.note && (
        <p class="note-text">
          Note: <em>{s.note}</em>
        </p>
      )}
      <dl class="facts">
        <dt>Expression</dt>
        <dd>
          <code>{s.expression}</code> in {s.timezone}
        </dd>
        <dt>Target</dt>
        <dd>{targetOf(s)}</dd>
        <dt>Overlap</dt>
        <dd>
          {s.overlap} (at most {s.max_active_runs} active; {s.active_runs} now)
        </dd>
        <dt>Catch-up</dt>
        <dd>
          {s.catch_up.policy}, window {Math.round(s.catch_up.window_seconds / 3600)} h
        </dd>
        {s.flexible_window_minutes > 0 && (
          <>
            <dt>Jitter</dt>
            <dd>up to {s.flexible_window_minutes} min</dd>
          </>
        )}
      </dl>
      <section aria-labelledby="nf-h">
        <h2 id="nf-h">Next fires</h2>
        {s.next_fires.length === 0 ? (
          <p class="muted">{paused ? "Paused: no fires until it is resumed." : "No more fires."}</p>
        ) : (
          <table data-testid="next-fires">
            <thead>
              <tr>
                <th scope="col">In {s.timezone}</th>
                <th scope="col">In your zone ({browserZone})</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody>
              {s.next_fires.map((t) => (
                <tr key={t}>
                  <td>
                    {dateTime(t, s.timezone)} <span class="muted">{zoneOffset(Date.parse(t), s.timezone)}</span>
                  </td>
                  <td>
                    {dateTime(t)} <span class="muted">{zoneOffset(Date.parse(t), browserZone)}</span>
                  </td>
                  <td class="muted">{relative(t)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="fh-h">
        <h2 id="fh-h">Fire history</h2>
        {fires.error && <ErrorBox error={fires.error} />}
        {fires.data && fires.data.fires.length === 0 && <p class="muted">No fires yet.</p>}
        {fires.data && fires.data.fires.length > 0 && (
          <table data-testid="fires">
            <thead>
              <tr>
                <th scope="col">Logical time ({s.timezone})</th>
                <th scope="col">Trigger</th>
                <th scope="col">Outcome</th>
                <th scope="col">Late</th>
                <th scope="col">Started</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {fires.data.fires.map((f) => (
                <tr key={f.logical_time + f.trigger} data-outcome={f.outcome}>
                  <td>
                    {dateTime(f.logical_time, s.timezone)}
                    {f.count && f.count > 1 && f.last_logical_time && (
                      <span class="muted">
                        {" "}
                        … {dateTime(f.last_logical_time, s.timezone)} ({f.count} fires)
                      </span>
                    )}
                  </td>
                  <td>{f.trigger}</td>
                  <td>
                    <span class={`badge fire-${f.outcome}`}>{f.outcome}</span>
                  </td>
                  <td>{f.lateness_ms > 0 ? `${(f.lateness_ms / 1000).toFixed(f.lateness_ms < 10000 ? 2 : 0)} s` : "0"}</td>
                  <td>
                    {f.job_id ? (
                      <a href={href(s.target.arn.startsWith("nightshift:pipeline:") ? `/runs/${encodeURIComponent(f.job_id)}` : `/jobs/${encodeURIComponent(f.job_id)}`)} class="mono">
                        {f.job_id.slice(0, 8)}…
                      </a>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td class="reason">{f.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div class="pager">
          <button type="button" disabled={tokens.length === 0} onClick={() => setTokens(tokens.slice(0, -1))}>
            Newer
          </button>
          <button type="button" disabled={!fires.data?.next_token} onClick={() => setTokens([...tokens, fires.data!.next_token!])}>
            Older
          </button>
        </div>
      </section>
    </div>
  );
}
