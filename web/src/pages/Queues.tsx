import { get, JOB_STATES, type Overview } from "../api";
import { number } from "../format";
import { useLoad } from "../hooks";
import { href } from "../route";
import { ErrorBox, Meter } from "./common";

export function Queues() {
  const o = useLoad(() => get<Overview>("/api/v1/overview"), [], 5_000);
  if (!o.data) return o.error ? <ErrorBox error={o.error} /> : <p class="muted">Loading…</p>;
  return (
    <div class="page" data-testid="queues">
      <h1>Queues and compute environments</h1>
      <section aria-labelledby="q-h">
        <h2 id="q-h">Job queues</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Queue</th>
              <th scope="col" class="num">Priority</th>
              <th scope="col">State</th>
              <th scope="col">Compute environments</th>
              <th scope="col" class="num">Waiting</th>
              <th scope="col" class="num">Running</th>
              <th scope="col">Capacity used</th>
              {JOB_STATES.map((s) => (
                <th scope="col" class="num small" key={s}>
                  {s}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {o.data.queues.map((q) => (
              <tr key={q.name} data-queue={q.name}>
                <td>
                  <a href={href(`/jobs?queue=${encodeURIComponent(q.name)}`)}>{q.name}</a>
                </td>
                <td class="num">{q.priority}</td>
                <td>{q.state}</td>
                <td>{q.compute_environments.join(", ")}</td>
                <td class="num">{number(q.depth)}</td>
                <td class="num">{number(q.running)}</td>
                <td>
                  <Meter used={q.vcpus_used} total={q.vcpus_capacity} unit="vCPU" />
                </td>
                {JOB_STATES.map((s) => (
                  <td class="num small" key={s}>
                    <a href={href(`/jobs?queue=${encodeURIComponent(q.name)}&state=${s}`)}>{number(q.jobs[s] ?? 0)}</a>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section aria-labelledby="ce-h">
        <h2 id="ce-h">Compute environments</h2>
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">State</th>
              <th scope="col">vCPUs in use</th>
              <th scope="col">Memory limit</th>
            </tr>
          </thead>
          <tbody>
            {o.data.compute_environments.map((c) => (
              <tr key={c.name} data-ce={c.name}>
                <td>{c.name}</td>
                <td>{c.type}</td>
                <td>{c.state}</td>
                <td>
                  <Meter used={c.used_vcpus} total={c.max_vcpus} unit="vCPU" />
                </td>
                <td>{c.max_memory_mib > 0 ? `${number(c.max_memory_mib)} MiB` : "not limited"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
