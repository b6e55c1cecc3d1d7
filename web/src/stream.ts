// Server-Sent Events read with fetch, not EventSource: EventSource cannot send the
// Authorization header a server with access control needs. Reconnects after a cut, resuming
// with Last-Event-ID when the stream gives ids (the event stream does; job logs do not).

import { authHeaders } from "./api";

export interface SseMessage {
  event: string;
  data: string;
  id?: string;
}

export interface SseOptions {
  onMessage: (m: SseMessage) => void;
  onOpen?: () => void;
  onEnd?: () => void;  // the server ended the body (job logs: the job ended)
  reconnect?: boolean; // after a cut or an end; default true
}

// Follows `url` until the returned function is called.
export function followSse(url: string, options: SseOptions): () => void {
  const controller = new AbortController();
  let lastId: string | undefined;
  let stopped = false;

  const run = async () => {
    let delay = 500;
    while (!stopped) {
      try {
        const headers: Record<string, string> = { Accept: "text/event-stream", ...authHeaders() };
        if (lastId) headers["Last-Event-ID"] = lastId;
        const response = await fetch(url, { headers, signal: controller.signal });
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        options.onOpen?.();
        delay = 500;
        await readMessages(response.body, (m) => {
          if (m.id) lastId = m.id;
          options.onMessage(m);
        });
        options.onEnd?.();
        if (options.reconnect === false) return;
      } catch (e) {
        if (stopped) return;
      }
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  };
  void run();
  return () => {
    stopped = true;
    controller.abort();
  };
}

async function readMessages(body: ReadableStream<Uint8Array>, deliver: (m: SseMessage) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let current: SseMessage = { event: "message", data: "" };
  let hasData = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, "");
      buffer = buffer.slice(newline + 1);
      if (line === "") {
        if (hasData) deliver(current);
        current = { event: "message", data: "" };
        hasData = false;
        continue;
      }
      if (line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const val = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "event") current.event = val;
      else if (field === "data") {
        current.data = hasData ? current.data + "\n" + val : val;
        hasData = true;
      } else if (field === "id") current.id = val;
    }
  }
}

// The server's event stream (/api/v1/events), filtered: one shared connection per filter.
export interface ServerEvent {
  id: number;
  type: "job" | "run" | "schedule";
  "detail-type": string;
  time: string;
  detail: any;
}

export function followEvents(filter: Record<string, string>, onEvent: (e: ServerEvent) => void): () => void {
  const params = new URLSearchParams(filter).toString();
  return followSse(`/api/v1/events${params ? "?" + params : ""}`, {
    onMessage: (m) => {
      if (m.event !== "job" && m.event !== "run" && m.event !== "schedule") return;
      try {
        onEvent(JSON.parse(m.data));
      } catch {
        /* not an event */
      }
    },
  });
}
