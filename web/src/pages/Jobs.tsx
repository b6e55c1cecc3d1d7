import { useEffect, useRef, useState } from "preact/hooks";
import { batch, JOB_STATES, type JobSummary } from "../api";
import { State } from "../components/State";
import { VirtualList } from "../components/VirtualList";
import { dateTime, duration, number, shortId } from "../format";
import { useLoad } from "../hooks";
import { href, navigate, type Location } from "../route";
import { ErrorBox } from "./common";

const PAGE = 200;
const ROW_HEIGHT = 34;

interface Filters {
  queue: string;
  state: string;
  name: string;
  after: string;
  before: string;
  sort: string; // a column of SORT_KEYS; empty: the server's order (newest first)
  dir: string; // asc | desc
}

// The columns the list sorts by. Pages come from the server newest first; a sort orders the jobs
// loaded so far (scrolling loads more and re-sorts).
const SORT_KEYS: Record<string, { label: string; value: (j: JobSummary) => string | number }> = {
  name: { label: "Name", value: (j) => j.jobName.toLowerCase() },
  state: { label: "State", value: (j) => JOB_STATES.indexOf(j.status) },
  created: { label: "Created", value: (j) => j.createdAt },
  ran: { label: "Ran", value: (j) => (j.startedAt ? (j.stoppedAt || Date.now()) - j.startedAt : -1) },
  exit: { label: "Exit", value: (j) => j.container?.exitCode ?? -1 },
};

function sorted(jobs: JobSummary[], key: string, dir: string): JobSummary[] {
  const by = SORT_KEYS[key];
  if (!by) return jobs;
  const sign = dir === "asc" ? 1 : -1;
  return [...jobs].sort((a, b) => {
    const x = by.value(a), y = by.value(b);
    return x < y ? -sign : x > y ? sign : 0;
  });
}

function filtersOf(query: URLSearchParams): Filters {
  return {
    queue: query.get("queue") ?? "",
    state: query.get("state") ?? "",
    name: query.get("name") ?? "",
    after: query.get("after") ?? "",
    before: query.get("before") ?? "",
    sort: query.get("sort") ?? "",
    dir: query.get("dir") ?? "",
  };
}

// The ListJobs request for a page of jobs matching `f` (every state unless one is picked).
function listRequest(f: Filters, nextToken?: string) {
  const filters: { name: string; values: string[] }[] = [];
  if (f.name) filters.push({ name: "JOB_NAME", values: [f.name] });
  if (f.after) filters.push({ name: "AFTER_CREATED_AT", values: [String(Date.parse(f.after))] });
  if (f.before) filters.push({ name: "BEFORE_CREATED_AT", values: [String(Date.parse(f.before))] });
  // Without a status ListJobs lists only RUNNING jobs, as AWS does, unless a filter is given:
  // a filter that matches every job asks for every state.
  if (!f.state && filters.length === 0) filters.push({ name: "AFTER_CREATED_AT", values: ["0"] });
  return {
    jobQueue: f.queue,
    ...(f.state ? { jobStatus: f.state } : {}),
    ...(filters.length ? { filters } : {}),
    maxResults: PAGE,
    ...(nextToken ? { nextToken } : {}),
  };
}

export function Jobs({ location }: { location: Location }) {
  const queues = useLoad(
    () => batch<{ jobQueues: { jobQueueName: string }[] }>("describejobqueues", {}),
    [],
  );
  const f = filtersOf(location.query);
  const queueNames = (queues.data?.jobQueues ?? []).map((q) => q.jobQueueName).sort();
  const queue = f.queue || queueNames[0] || "";
  const key = JSON.stringify({ ...f, queue, sort: "", dir: "" });
  const [jobs, setJobs] = useState<JobSummary[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const loading = useRef(false);
  const generation = useRef(0);
  // What is typed in the name filter, applied on Enter or blur: kept apart from the URL's name so
  // that a re-render while the user types (a page of jobs arriving) does not wipe the text.
  const [nameText, setNameText] = useState(f.name);
  useEffect(() => setNameText(f.name), [f.name]);

  const loadPage = (token: string | null, fresh: boolean) => {
    if (!queue || loading.current) return;
    loading.current = true;
    const mine = generation.current;
    batch<{ jobSummaryList: JobSummary[]; nextToken?: string }>("listjobs", listRequest({ ...f, queue }, token ?? undefined))
      .then((page) => {
        if (mine !== generation.current) return;
        setJobs((old) => (fresh ? page.jobSummaryList : old.concat(page.jobSummaryList)));
        setNext(page.nextToken ?? null);
        setDone(!page.nextToken);
        setError(null);
      })
      .catch((e: Error) => mine === generation.current && setError(e))
      .finally(() => {
        if (mine === generation.current) loading.current = false;
      });
  };

  useEffect(() => {
    generation.current++;
    loading.current = false;
    setJobs([]);
    setNext(null);
    setDone(false);
    loadPage(null, true);
  }, [key]);

  const set = (change: Partial<Filters>) => {
    const merged = { ...f, queue, ...change };
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(merged)) if (v) params.set(k, v);
    navigate(`/jobs?${params}`, true);
  };

  return (
    <div class="page" data-testid="jobs">
      <h1>Jobs</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter jobs">
        <label>
          Queue
          <select value={queue} onChange={(e) => set({ queue: (e.target as HTMLSelectElement).value })} data-testid="filter-queue">
            {queueNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          State
          <select value={f.state} onChange={(e) => set({ state: (e.target as HTMLSelectElement).value })} data-testid="filter-state">
            <option value="">any</option>
            {JOB_STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Name <span class="muted small">(prefix*)</span>
          <input
            type="search"
            value={nameText}
            placeholder="name or prefix*"
            onInput={(e) => setNameText((e.target as HTMLInputElement).value)}
            onChange={(e) => set({ name: (e.target as HTMLInputElement).value.trim() })}
            data-testid="filter-name"
          />
        </label>
        <label>
          Created after
          <input type="datetime-local" value={f.after} onChange={(e) => set({ after: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          Created before
          <input type="datetime-local" value={f.before} onChange={(e) => set({ before: (e.target as HTMLInputElement).value })} />
        </label>
      </form>
      <p class="muted" aria-live="polite" data-testid="jobs-count">
        {number(jobs.length)} job{jobs.length === 1 ? "" : "s"}
        {done ? "" : next ? " loaded; scroll for more" : " loading…"} ·{" "}
        {SORT_KEYS[f.sort]
          ? `sorted by ${SORT_KEYS[f.sort].label.toLowerCase()} (${f.dir === "asc" ? "ascending" : "descending"})${done ? "" : " among those loaded"}`
          : "newest first"}
      </p>
      {error && <ErrorBox error={error} />}
      {queues.error && <ErrorBox error={queues.error} />}
      <div class="jobs-table" role="table" aria-label="Jobs" aria-rowcount={jobs.length}>
        <div class="jobs-row jobs-header" role="row">
          <SortHeader column="name" f={f} set={set} />
          <span role="columnheader">Job ID</span>
          <SortHeader column="state" f={f} set={set} />
          <SortHeader column="created" f={f} set={set} />
          <SortHeader column="ran" f={f} set={set} />
          <SortHeader column="exit" f={f} set={set} />
          <span role="columnheader">Reason</span>
        </div>
        <VirtualList
          items={sorted(jobs, f.sort, f.dir)}
          rowHeight={ROW_HEIGHT}
          height={Math.max(300, Math.min(640, jobs.length * ROW_HEIGHT + 4))}
          label="Jobs"
          onNearEnd={() => next && loadPage(next, false)}
          row={(j) => (
            <div class="jobs-row" role="row" key={j.jobId} data-job-id={j.jobId} style={{ height: `${ROW_HEIGHT}px` }}>
              <span role="cell" class="ellipsis">
                <a href={href(`/jobs/${encodeURIComponent(j.jobId)}`)}>{j.jobName}</a>
                {j.arrayProperties?.size ? <span class="muted small"> [{j.arrayProperties.size}]</span> : null}
              </span>
              <span role="cell" class="mono ellipsis" title={j.jobId}>
                {shortId(j.jobId)}
              </span>
              <span role="cell">
                <State state={j.status} />
              </span>
              <span role="cell">{dateTime(j.createdAt)}</span>
              <span role="cell">{j.startedAt ? duration((j.stoppedAt || Date.now()) - j.startedAt) : "—"}</span>
              <span role="cell">{j.container?.exitCode ?? "—"}</span>
              <span role="cell" class="ellipsis reason" title={j.statusReason}>
                {j.statusReason}
              </span>
            </div>
          )}
        />
      </div>
    </div>
  );
}

// A column header that sorts by its column: first click descending, then ascending, then back to
// the server's order.
function SortHeader({ column, f, set }: { column: string; f: Filters; set: (change: Partial<Filters>) => void }) {
  const active = f.sort === column;
  const ariaSort = active ? (f.dir === "asc" ? "ascending" : "descending") : "none";
  const nextSort = () => {
    if (!active) return set({ sort: column, dir: "desc" });
    if (f.dir !== "asc") return set({ dir: "asc" });
    return set({ sort: "", dir: "" });
  };
  return (
    <span role="columnheader" aria-sort={ariaSort}>
      <button type="button" class="sort-header" onClick={nextSort} data-testid={`sort-${column}`}>
        {SORT_KEYS[column].label}
        {active ? (f.dir === "asc" ? " ▲" : " ▼") : ""}
      </button>
    </span>
  );
}
