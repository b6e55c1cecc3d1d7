import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, get, onUnauthorized, storedToken, storeToken, type WhoAmI } from "./api";
import { href, interceptLinks, match, useLocation } from "./route";
import { SessionContext } from "./session";
import { NotFound } from "./pages/common";
import { Job } from "./pages/Job";
import { Jobs } from "./pages/Jobs";
import { Overview } from "./pages/Overview";
import { Pipeline } from "./pages/Pipeline";
import { Pipelines } from "./pages/Pipelines";
import { Queues } from "./pages/Queues";
import { Run } from "./pages/Run";
import { Schedule, Schedules } from "./pages/Schedules";
import "./style.css";

const NAV = [
  { path: "/", label: "Overview" },
  { path: "/pipelines", label: "Pipelines" },
  { path: "/jobs", label: "Jobs" },
  { path: "/schedules", label: "Schedules" },
  { path: "/queues", label: "Queues" },
];

function Page() {
  const loc = useLocation();
  const p = loc.path;
  let m: Record<string, string> | null;
  if (p === "/" || p === "") return <Overview />;
  if (p === "/pipelines") return <Pipelines />;
  if ((m = match("/pipelines/:name", p))) return <Pipeline key={m.name} name={m.name} />;
  if ((m = match("/runs/:id", p))) return <Run key={m.id} id={m.id} initialStep={loc.query.get("step")} />;
  if (p === "/jobs") return <Jobs location={loc} />;
  if ((m = match("/jobs/:id", p))) return <Job key={m.id} id={m.id} />;
  if (p === "/schedules") return <Schedules />;
  if ((m = match("/schedules/:group/:name", p))) return <Schedule key={m.group + "/" + m.name} group={m.group} name={m.name} />;
  if (p === "/queues") return <Queues />;
  return <NotFound what={`Nothing at ${p}.`} />;
}

function Login({ error, onLogin }: { error: string | null; onLogin: (who: WhoAmI) => void }) {
  const [token, setToken] = useState("");
  const [message, setMessage] = useState<string | null>(error);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    storeToken(token.trim());
    try {
      onLogin(await get<WhoAmI>("/api/v1/whoami"));
    } catch (err) {
      storeToken("");
      setMessage(err instanceof ApiError && err.status === 401 ? `Not accepted: ${err.message}` : (err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login" id="main">
      <form onSubmit={submit} aria-labelledby="login-h" data-testid="login">
        <h1 id="login-h">
          <span class="logo" aria-hidden="true" /> nightshift
        </h1>
        <p>This server requires an API token. Ask an admin for one (<code>nightshift token create --role viewer</code>).</p>
        <label>
          API token
          <input
            type="password"
            autoComplete="off"
            value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)}
            placeholder="nst_…"
            required
            autoFocus
            data-testid="token"
          />
        </label>
        {message && (
          <p class="error-text" role="alert">
            {message}
          </p>
        )}
        <button type="submit" disabled={busy || !token.trim()}>
          Sign in
        </button>
        <p class="muted small">The token is kept in this tab only (session storage) and sent as a bearer token.</p>
      </form>
    </main>
  );
}

function App() {
  const [who, setWho] = useState<WhoAmI | null>(null);
  const [needLogin, setNeedLogin] = useState<string | null>(null);
  const [startError, setStartError] = useState<string | null>(null);
  const loc = useLocation();

  useEffect(() => {
    get<WhoAmI>("/api/v1/whoami").then(setWho, (e: Error) => {
      if (e instanceof ApiError && e.status === 401) setNeedLogin(storedToken() ? e.message : "");
      else setStartError(e.message);
    });
    return onUnauthorized(() => {
      setWho(null);
      setNeedLogin("Your token is no longer accepted; sign in again.");
    });
  }, []);

  if (startError) return <main class="page"><h1>Cannot reach the server</h1><p>{startError}</p></main>;
  if (needLogin !== null && !who) {
    return (
      <Login
        error={needLogin || null}
        onLogin={(w) => {
          setWho(w);
          setNeedLogin(null);
        }}
      />
    );
  }
  if (!who) return <p class="muted page">Loading…</p>;
  const section = "/" + (loc.path.split("/")[1] ?? "");
  const current = section === "/runs" ? "/pipelines" : section;
  return (
    <SessionContext.Provider value={who}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href("/")}>
          <span class="logo" aria-hidden="true" /> nightshift
        </a>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <a key={n.path} href={href(n.path)} aria-current={current === n.path ? "page" : undefined}>
              {n.label}
            </a>
          ))}
        </nav>
        <span class="who" data-testid="who">
          {who.authentication ? (
            <>
              {who.actor} · {who.role}{" "}
              <button
                type="button"
                class="linkish"
                onClick={() => {
                  storeToken("");
                  setWho(null);
                  setNeedLogin("");
                }}
              >
                sign out
              </button>
            </>
          ) : (
            <span class="muted">access control off</span>
          )}
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <Page />
      </main>
    </SessionContext.Provider>
  );
}

interceptLinks();
render(<App />, document.getElementById("app")!);
