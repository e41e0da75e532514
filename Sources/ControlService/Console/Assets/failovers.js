// Failovers: the list, and one failover's steps as a timeline (live while it runs).
import { h, replace, chip, num, time, ms, table } from "./dom.js";
import { get, paths } from "./api.js";
import { openFailoverAction } from "./actions.js";

export async function renderFailovers(main, hash) {
  const id = hash.split("/")[1];
  const [list, one] = await Promise.all([
    get(paths.failovers(50)), id ? get(paths.failover(id)) : Promise.resolve(null),
  ]);
  replace(
    main,
    h("h2", {}, "Failovers"),
    one ? timeline(one) : null,
    table("Newest first", ["Id", "Service", "Kind", "From → to", "Status", "Started", "Took", "Expected loss"],
      list.failovers.map((f) =>
        h("tr", { "data-failover": f.id, class: String(f.id) === id ? "selected" : null },
          h("td", {}, h("a", { href: `#failovers/${f.id}` }, `#${f.id}`)),
          h("td", {}, f.service),
          h("td", {}, `${f.kind} (${f.mode})`),
          h("td", {}, `${f.sourceCluster} → ${f.targetCluster}`),
          h("td", {}, chip(f.status)),
          h("td", {}, time(f.createdAt)),
          h("td", { class: "num" }, f.finishedAt ? ms(Date.parse(f.finishedAt) - Date.parse(f.createdAt)) : "—"),
          h("td", { class: "num" }, f.expectedLossRecords === undefined ? "—" : `${num(f.expectedLossRecords)} records`))),
      { id: "failover-list" }));
}

function timeline(f) {
  const start = Date.parse(f.createdAt);
  const end = f.finishedAt ? Date.parse(f.finishedAt) : Date.now();
  const span = Math.max(1, end - start);
  const actions = [];
  if (f.status === "pending") actions.push("ack", "abort");
  if (f.status === "failed") actions.push("resume", "abort");
  if (f.status === "running") actions.push("abort");
  return h("section", { class: "timeline", id: "timeline", "data-failover": f.id, "data-status": f.status },
    h("h3", {}, `#${f.id} ${f.kind} of ${f.service}: ${f.sourceCluster} → ${f.targetCluster} `, chip(f.status)),
    h("dl", { class: "facts" },
      h("dt", {}, "Requested by"), h("dd", {}, f.requestedBy),
      h("dt", {}, "Reason"), h("dd", {}, f.reason || "—"),
      h("dt", {}, "Epoch"), h("dd", {}, `${f.fromEpoch} → ${f.toEpoch}`),
      h("dt", {}, "Started"), h("dd", {}, time(f.createdAt)),
      h("dt", {}, "Took"), h("dd", {}, f.finishedAt ? ms(end - start) : `${ms(end - start)} so far`),
      h("dt", {}, "Expected loss"), h("dd", {}, f.expectedLossRecords === undefined ? "unknown or none (planned)" : `${num(f.expectedLossRecords)} records at most`),
      f.error ? [h("dt", {}, "Error"), h("dd", { class: "error" }, f.error)] : null),
    actions.length
      ? h("p", { class: "actions" },
          actions.map((verb) =>
            h("button", { type: "button", "data-action": verb, onclick: () => openFailoverAction(verb, f) },
              verb[0].toUpperCase() + verb.slice(1) + "…")))
      : null,
    h("ol", { class: "steps" },
      f.steps.map((st) => {
        const s0 = st.startedAt ? Date.parse(st.startedAt) : null;
        const s1 = st.finishedAt ? Date.parse(st.finishedAt) : st.status === "running" ? Date.now() : null;
        const bar = h("span", { class: `bar st-${st.status}` });
        if (s0 !== null) {
          // Positioned through the CSSOM: the CSP allows no inline style attributes.
          bar.style.marginLeft = `${((Math.max(0, s0 - start) / span) * 100).toFixed(2)}%`;
          bar.style.width = `${Math.max(0.8, (((s1 ?? s0) - s0) / span) * 100).toFixed(2)}%`;
        }
        return h("li", { class: "step", "data-step": st.name, "data-status": st.status },
          h("div", { class: "step-head" },
            h("span", { class: "step-name" }, st.name), " ", chip(st.status),
            h("span", { class: "muted" }, st.durationMs !== undefined ? ` ${ms(st.durationMs)}` : "",
              st.attempt > 1 ? ` · attempt ${st.attempt}` : "",
              s0 !== null ? ` · +${ms(Math.max(0, s0 - start))}` : "")),
          h("div", { class: "track", "aria-hidden": "true" }, bar),
          st.details ? h("p", { class: "details" }, st.details) : null);
      })));
}
