import { useEffect, useState } from "preact/hooks";
import { batch, get, q, type JobDetail, type JobSummary, type Why } from "../api";
import { Action } from "../components/Action";
import { LogView } from "../components/LogView";
import { State } from "../components/State";
import { dateTime, duration, number, shortId } from "../format";
import { useDebounced, useLoad, useNow } from "../hooks";
import { href } from "../route";
import { useCan } from "../session";
import { followEvents } from "../stream";
import { ErrorBox, NotFound } from "./common";

const ENDED = new Set(["SUCCEEDED", "FAILED"]);

export function Job({ id }: { id: string }) {
  const canAct = useCan("operator");
  const job = useLoad(async () => (await batch<{ jobs: JobDetail[] }>("describejobs", { jobs: [id] })).jobs[0] ?? null, [id]);
  const why = useLoad(() => get<Why>(`/api/v1/jobs/${q(id)}/why`), [id]);
  const j = job.data;
  const isArray = !!j?.arrayProperties?.size;
  const children = useLoad(
    () =>
      isArray
        ? batch<{ jobSummaryList: JobSummary[] }>("listjobs", {
            arrayJobId: id,
            filters: [{ name: "AFTER_CREATED_AT", values: ["0"] }],
            maxResults: 100,
          })
        : Promise.resolve(null),
    [id, isArray],
  );
  const [attempt, setAttempt] = useState<number | undefined>(undefined);
  const now = useNow(1000);
  const refresh = useDebounced(() => {
    job.reload();
    why.reload();
    if (isArray) children.reload();
  }, 300);
  const queueName = j?.jobQueue?.split("/").pop() ?? "";

  useEffect(() => {
    if (!queueName) return;
    return followEvents({ type: "job", queue: queueName }, (e) => {
      const eventJob: string = e.detail.jobId ?? "";
      if (eventJob === id || eventJob.startsWith(id + ":")) refresh();
    });
  }, [queueName, id]);

  if (job.error) return <ErrorBox error={job.error} />;
  if (job.loading && !j) return <p class="muted">Loading…</p>;
  if (!j) return <NotFound what={`No job ${id}.`} />;
  const ended = ENDED.has(j.status);
  const summary = j.arrayProperties?.statusSummary;

  return (
    <div class="page" data-testid="job" data-job-state={j.status}>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href={href(`/jobs?queue=${encodeURIComponent(queueName)}`)}>Jobs</a> / {j.jobName}
      </nav>
      <header class="page-head">
        <h1>
          {j.jobName} <State state={j.status} />
        </h1>
        {canAct && !ended && (
          <div class="actions">
            {!["STARTING", "RUNNING"].includes(j.status) && (
              <Action
                label="Cancel"
                testId="cancel-job"
                danger
                confirm="Cancel this job? (Only jobs that have not started are cancelled.)"
                run={() => batch("canceljob", { jobId: id, reason: "cancelled from the web UI" })}
                onDone={refresh}
              />
            )}
            <Action
              label="Terminate"
              testId="terminate-job"
              danger
              confirm="Terminate this job? A running attempt is stopped (SIGTERM, then SIGKILL)."
              run={() => batch("terminatejob", { jobId: id, reason: "terminated from the web UI" })}
              onDone={refresh}
            />
          </div>
        )}
      </header>
      <dl class="facts">
        <dt>Job ID</dt>
        <dd class="mono">{j.jobId}</dd>
        <dt>Queue</dt>
        <dd>{queueName}</dd>
        <dt>Definition</dt>
        <dd>{j.jobDefinition?.split("/").pop()}</dd>
        <dt>Created</dt>
        <dd>{dateTime(j.createdAt)}</dd>
        <dt>Started</dt>
        <dd>{dateTime(j.startedAt)}</dd>
        <dt>Stopped</dt>
        <dd>{dateTime(j.stoppedAt)}</dd>
        <dt>Command</dt>
        <dd class="mono">{j.container?.command?.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`)).join(" ") ?? "—"}</dd>
        {j.dependsOn && j.dependsOn.length > 0 && (
          <>
            <dt>Depends on</dt>
            <dd>
              {j.dependsOn.map((d) => (
                <a key={d.jobId} href={href(`/jobs/${encodeURIComponent(d.jobId)}`)} class="mono">
                  {shortId(d.jobId)}
                  {d.type ? ` (${d.type})` : ""}{" "}
                </a>
              ))}
            </dd>
          </>
        )}
      </dl>
      <section aria-labelledby="why-h" class="why" data-testid="why">
        <h2 id="why-h">{ended ? "Why it ended" : "Why it is where it is"}</h2>
        {why.data ? (
          <>
            <p>{why.data.summary || j.statusReason || "—"}</p>
            {why.data.facts.length > 0 && (
              <ul>
                {why.data.facts.map((f, i) => (
                  <li key={i}>
                    <span class="fact-kind">{f.kind}</span> {f.text}
                  </li>
                ))}
              </ul>
            )}
          </>
        ) : why.error ? (
          <ErrorBox error={why.error} />
        ) : (
          <p class="muted">Loading…</p>
        )}
      </section>
      {summary && (
        <section aria-labelledby="arr-h">
          <h2 id="arr-h">Array children ({number(j.arrayProperties?.size ?? 0)})</h2>
          <div class="tiles">
            {Object.entries(summary).map(([s, n]) => (
              <div class={`tile state-border-${s}`} key={s}>
                <span class="tile-number">{number(n)}</span>
                <State state={s} />
              </div>
            ))}
          </div>
          {children.data && (
            <table>
              <thead>
                <tr>
                  <th scope="col">Index</th>
                  <th scope="col">State</th>
                  <th scope="col">Exit</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {children.data.jobSummaryList.map((c) => (
                  <tr key={c.jobId}>
                    <td>
                      <a href={href(`/jobs/${encodeURIComponent(c.jobId)}`)}>{c.arrayProperties?.index ?? c.jobId}</a>
                    </td>
                    <td>
                      <State state={c.status} />
                    </td>
                    <td>{c.container?.exitCode ?? "—"}</td>
                    <td class="reason">{c.statusReason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <section aria-labelledby="att-h">
        <h2 id="att-h">Attempts</h2>
        {j.attempts.length === 0 ? (
          <p class="muted">{ended ? "No attempt ran." : "No attempt has finished yet."}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Started</th>
                <th scope="col">Ran</th>
                <th scope="col">Exit code</th>
                <th scope="col">Reason</th>
                <th scope="col">Log</th>
              </tr>
            </thead>
            <tbody>
              {j.attempts.map((a, i) => (
                <tr key={i} data-attempt={i + 1}>
                  <td>{i + 1}</td>
                  <td>{dateTime(a.startedAt)}</td>
                  <td>{a.startedAt ? duration((a.stoppedAt || now) - a.startedAt) : "—"}</td>
                  <td data-testid={`exit-${i + 1}`}>{a.container?.exitCode ?? "—"}</td>
                  <td class="reason">{[a.container?.reason, a.statusReason].filter(Boolean).join(" · ")}</td>
                  <td>
                    <button type="button" class="linkish" onClick={() => setAttempt(i + 1)} aria-pressed={attempt === i + 1}>
                      show
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {!isArray && (
        <section aria-labelledby="log-h">
          <h2 id="log-h">
            Log {attempt ? `of attempt ${attempt}` : "(latest attempt)"}{" "}
            {attempt && (
              <button type="button" class="linkish" onClick={() => setAttempt(undefined)}>
                latest
              </button>
            )}
          </h2>
          <LogView jobId={id} attempt={attempt} follow={!ended && !attempt} />
        </section>
      )}
    </div>
  );
}
