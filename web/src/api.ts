// The server's API as the UI uses it: native routes under /api/v1 and AWS Batch routes
// (POST /v1/<operation>), both with the session's API token as a bearer credential.

const TOKEN_KEY = "nightshift.token";

export function storedToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

export function storeToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export function authHeaders(): Record<string, string> {
  const token = storedToken();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// Listeners told when the server refuses the session's credential (the app shows the login form).
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json", ...authHeaders() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    if (response.status === 401) unauthorizedListeners.forEach((l) => l());
    const type = data?.__type ?? response.headers.get("x-amzn-ErrorType") ?? `HTTP ${response.status}`;
    const message = data?.message ?? data?.Message ?? (text || response.statusText);
    throw new ApiError(response.status, type, message);
  }
  return data as T;
}

export const get = <T>(path: string) => call<T>("GET", path);
export const post = <T>(path: string, body: unknown = {}) => call<T>("POST", path, body);
// AWS Batch operations: POST /v1/<operation> with a JSON body.
export const batch = <T>(operation: string, body: unknown) => call<T>("POST", `/v1/${operation}`, body);

export const q = encodeURIComponent;

// ---- Shapes the UI reads (only the members it uses).

export type JobState = "SUBMITTED" | "PENDING" | "RUNNABLE" | "STARTING" | "RUNNING" | "SUCCEEDED" | "FAILED";
export const JOB_STATES: JobState[] = ["SUBMITTED", "PENDING", "RUNNABLE", "STARTING", "RUNNING", "SUCCEEDED", "FAILED"];

export interface WhoAmI {
  authentication: boolean;
  actor: string;
  role: "viewer" | "operator" | "admin";
  kind: string;
}

export interface QueueOverview {
  name: string;
  state: string;
  priority: number;
  compute_environments: string[];
  jobs: Record<JobState, number>;
  depth: number;
  running: number;
  vcpus_used: number;
  vcpus_capacity: number;
}

export interface ComputeEnvironmentOverview {
  name: string;
  type: string;
  state: string;
  max_vcpus: number;
  used_vcpus: number;
  max_memory_mib: number;
}

export interface Overview {
  time: string;
  jobs: Record<JobState, number>;
  queues: QueueOverview[];
  compute_environments: ComputeEnvironmentOverview[];
  recent_failures: {
    jobId: string;
    jobName: string;
    queue: string;
    stoppedAt: number;
    statusReason: string;
    exitCode: number | null;
  }[];
  upcoming_fires: { schedule: string; group: string; timezone: string; time: string; local_time: string }[];
  throughput: { start: string; succeeded: number; failed: number }[];
}

export interface Step {
  name: string;
  state: string;
  reason: string;
  job_id: string | null;
  tries: number;
  submitted_at: string | null;
  started_at: string | null;
  stopped_at: string | null;
  exit_code: number | null;
}

export interface Run {
  id: string;
  pipeline: string;
  version: number;
  state: string;
  reason: string;
  trigger: string;
  logical_date: string;
  created_at: string;
  stopped_at: string | null;
  tries: number;
  steps: Step[];
}

export interface StepSpec {
  name: string;
  command: string[] | string;
  definition: string;
  array: number;
  depends_on: { step: string; condition: string }[];
}

export interface Pipeline {
  name: string;
  version: number;
  description: string;
  created_at: string;
  step_count: number;
  schedule: { expression: string; timezone: string; state: string; next_due: string | null } | null;
  recent_runs: { id: string; state: string; logical_date: string }[];
  steps?: StepSpec[];
  source?: string;
}

export interface Schedule {
  name: string;
  group: string;
  description: string;
  expression: string;
  timezone: string;
  state: string;
  note: string;
  overlap: string;
  max_active_runs: number;
  catch_up: { policy: string; window_seconds: number };
  flexible_window_minutes: number;
  next_fires: string[];
  next_due: string | null;
  active_runs: number;
  target: { arn: string; input: unknown };
}

export interface Fire {
  logical_time: string;
  trigger: string;
  outcome: string;
  reason: string;
  due_time: string;
  decided_at: string;
  lateness_ms: number;
  job_id?: string;
  count?: number;
  last_logical_time?: string;
}

export interface JobSummary {
  jobId: string;
  jobName: string;
  createdAt: number;
  startedAt?: number;
  stoppedAt?: number;
  status: JobState;
  statusReason?: string;
  container?: { exitCode?: number; reason?: string };
  arrayProperties?: { size?: number; index?: number };
  jobDefinition?: string;
}

export interface Attempt {
  container?: { exitCode?: number; reason?: string; logStreamName?: string };
  startedAt?: number;
  stoppedAt?: number;
  statusReason?: string;
}

export interface JobDetail extends JobSummary {
  jobQueue: string;
  attempts: Attempt[];
  dependsOn?: { jobId: string; type?: string }[];
  arrayProperties?: { size?: number; index?: number; statusSummary?: Record<string, number> };
  container?: { command?: string[]; exitCode?: number; reason?: string; logStreamName?: string };
  tags?: Record<string, string>;
  parameters?: Record<string, string>;
  isCancelled?: boolean;
  isTerminated?: boolean;
}

export interface Why {
  jobId: string;
  jobName: string;
  status: string;
  summary: string;
  facts: { kind: string; text: string }[];
}
