// The console talks to the same API as failoverctl, with the token the operator typed.
// The token lives in this tab's sessionStorage only: never in a URL, never in a cookie.

const KEY = "failoverctl.token";

export const token = {
  get: () => sessionStorage.getItem(KEY) || "",
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An answer the API refused, with its status and its own message. */
export class APIError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields || [];
  }
  /** "403 forbidden: the token's role viewer cannot …" */
  get text() {
    const f = this.fields.map((x) => `${x.field}: ${x.message}`).join("; ");
    return `${this.status} ${this.code}: ${this.message}${f ? ` (${f})` : ""}`;
  }
}

function headers(extra = {}) {
  const h = { Accept: "application/json", ...extra };
  const t = token.get();
  if (t) h.Authorization = `Bearer ${t}`;
  return h;
}

async function answer(r) {
  const text = await r.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!r.ok) {
    throw new APIError(
      r.status, body?.error || "error", body?.message || text || r.statusText, body?.fields);
  }
  return body;
}

export async function get(path) {
  return answer(await fetch(path, { headers: headers(), cache: "no-store" }));
}

export async function post(path, body) {
  return answer(
    await fetch(path, {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(body || {}),
      cache: "no-store",
    }));
}

const enc = encodeURIComponent;

export const paths = {
  status: "/v1/status",
  topology: "/v1/topology",
  controlPlane: "/v1/control-plane",
  lag: (seconds) => `/v1/lag-history?seconds=${seconds}`,
  failovers: (n = 50) => `/v1/failovers?limit=${n}`,
  failover: (id) => `/v1/failovers/${enc(id)}`,
  audit: (limit, before) => `/v1/audit?limit=${limit}${before ? `&before=${enc(before)}` : ""}`,
  /** An action on a configured service; an active-active region's lane names its region in the body. */
  action: (service, verb) => `/v1/services/${enc(service)}/${verb}`,
  failoverAction: (id, verb) => `/v1/failovers/${enc(id)}/${verb}`,
  recover: (service) => `/v1/services/${enc(service)}/recover`,
  drill: (id) => `/v1/drills/${enc(id)}`,
  drills: (n = 50) => `/v1/drills?limit=${n}`,
  startDrill: (service) => `/v1/services/${enc(service)}/drill`,
  events: (service, region) => `/v1/services/${enc(service)}/events${region ? `?region=${enc(region)}` : ""}`,
};

/**
 * Follows a service's event stream (Server-Sent Events over fetch, so that the token goes
 * in a header, which EventSource cannot send). Calls onDocument with each discovery
 * document; reconnects after the server's retry interval; returns a stop function.
 */
export function follow(service, onDocument, onState = () => {}) {
  const abort = new AbortController();
  let lastId = "";
  let retry = 2000;
  (async () => {
    while (!abort.signal.aborted) {
      try {
        const extra = lastId ? { "Last-Event-ID": lastId, Accept: "text/event-stream" } : { Accept: "text/event-stream" };
        const r = await fetch(paths.events(service), { headers: headers(extra), signal: abort.signal, cache: "no-store" });
        if (!r.ok) throw new Error(`${r.status}`);
        onState("live");
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value.replace(/\r\n?/g, "\n");
          let cut;
          while ((cut = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            let data = [];
            let id = null;
            for (const line of block.split("\n")) {
              if (line.startsWith(":")) continue;
              const i = line.indexOf(":");
              const field = i < 0 ? line : line.slice(0, i);
              const v = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
              if (field === "data") data.push(v);
              else if (field === "id") id = v;
              else if (field === "retry" && /^\d+$/.test(v)) retry = Number(v);
            }
            if (id !== null) lastId = id;
            if (data.length) {
              try {
                onDocument(JSON.parse(data.join("\n")));
              } catch {
                /* a malformed event is skipped; the next one carries the whole document */
              }
            }
          }
        }
      } catch (e) {
        if (abort.signal.aborted) return;
      }
      onState("reconnecting");
      await new Promise((res) => setTimeout(res, retry));
    }
  })();
  return () => abort.abort();
}
