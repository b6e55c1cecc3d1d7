// Client-side routes under /ui/ (history API). The server answers index.html for any path
// under /ui/ that is not a file, so every route can be bookmarked and reloaded.
import { useEffect, useState } from "preact/hooks";

export const BASE = "/ui";

export function href(path: string): string {
  return BASE + path;
}

export function navigate(path: string, replace = false): void {
  const url = path.startsWith(BASE) ? path : href(path);
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  window.dispatchEvent(new Event("nightshift:navigate"));
  window.scrollTo(0, 0);
}

export interface Location {
  path: string; // without the /ui prefix, e.g. "/pipelines/etl"
  query: URLSearchParams;
}

function current(): Location {
  let path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname;
  if (path === "") path = "/";
  return { path, query: new URLSearchParams(location.search) };
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    const update = () => setLoc(current());
    window.addEventListener("popstate", update);
    window.addEventListener("nightshift:navigate", update);
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener("nightshift:navigate", update);
    };
  }, []);
  return loc;
}

// Matches "/pipelines/:name" against a path; the decoded parameters, or null.
export function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const got = path.split("/").filter(Boolean);
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(got[i]);
    else if (want[i] !== got[i]) return null;
  }
  return params;
}

// Left clicks on in-app links navigate without a page load; others (new tab, ...) are left alone.
export function interceptLinks(): void {
  document.addEventListener("click", (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.("a");
    if (!a || a.target || a.hasAttribute("download")) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
    e.preventDefault();
    navigate(url.pathname + url.search);
  });
}
