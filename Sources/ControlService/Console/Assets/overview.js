// The overview: regions and clusters with health, flows with lag, services with actions.
import { h, replace, chip, num, age, time, table } from "./dom.js";
import { flowDiagram, lagLevel } from "./charts.js";
import { openAction, openRecover } from "./actions.js";

export function renderOverview(main, state) {
  const { status, topology, controlPlane, lag } = state;
  const limits = new Map((lag?.flows || []).map((f) => [f.flow, f]));
  const clustersByRegion = new Map();
  for (const c of status.clusters) {
    if (!clustersByRegion.has(c.region)) clustersByRegion.set(c.region, []);
    clustersByRegion.get(c.region).push(c);
  }
  const troubled = (status.background || []).filter((b) => b.state !== "running");

  replace(
    main,
    h("h2", { class: "sr-only" }, "Overview"),
    troubled.length
      ? h("section", { class: "warning", id: "background" },
          h("h3", {}, "Background services down"),
          h("ul", {}, troubled.map((b) =>
            h("li", {}, `${b.service}: ${b.state}, ${b.restarts} restarts${b.lastError ? ` — ${b.lastError}` : ""}`))))
      : null,
    h("section", { id: "regions", "aria-labelledby": "regions-h" },
      h("h3", { id: "regions-h" }, "Regions"),
      h("div", { class: "cards" },
        topology.regions.map((r) => {
          const clusters = clustersByRegion.get(r.name) || [];
          const worst = clusters.some((c) => c.state === "unreachable") ? "unreachable"
            : clusters.some((c) => c.state !== "healthy") ? "degraded" : "healthy";
          return h("article", { class: `card st-border-${worst}`, "data-region": r.name },
            h("h4", {}, r.name, " ", chip(worst)),
            r.description ? h("p", { class: "description" }, r.description) : null,
            clusters.map((c) =>
              h("div", { class: "cluster", "data-cluster": c.cluster },
                h("p", {}, h("strong", {}, c.cluster), " ", chip(c.state),
                  c.since ? h("span", { class: "muted" }, ` since ${time(c.since)}`) : null),
                c.reasons?.length ? h("ul", { class: "reasons" }, c.reasons.map((x) => h("li", {}, x))) : null,
                c.votes?.length
                  ? h("p", { class: "votes" }, "Votes: ",
                      c.votes.map((v, i) => [i ? ", " : "", `${v.vantage}${v.region ? ` (${v.region})` : ""} `, chip(v.state), v.counted ? " counted" : ""]))
                  : null)));
        }))),
    controlPlane && controlPlane.mode === "coordinated"
      ? h("section", { id: "control-plane", "aria-labelledby": "cp-h" },
          h("h3", { id: "cp-h" }, "Control plane"),
          h("p", {}, `Leader: ${controlPlane.leader ? `${controlPlane.leader.instance} (${controlPlane.leader.region})` : "none"} · fencing token ${controlPlane.fencingToken ?? "—"}`),
          table(null, ["Instance", "Region", "Role", "Last seen", "URL"],
            (controlPlane.members || []).map((m) =>
              h("tr", {}, h("td", {}, m.instance), h("td", {}, m.region), h("td", {}, chip(m.role)), h("td", {}, time(m.lastSeen)), h("td", {}, m.url || "—")))))
      : null,
    h("section", { id: "flows", "aria-labelledby": "flows-h" },
      h("h3", { id: "flows-h" }, "Replication flows"),
      flowDiagram(status.clusters, status.flows, limits),
      table(null, ["Flow", "State", "Records behind", "Heartbeat age", "Checkpoint age", "RPO budget"],
        status.flows.map((f) => {
          const lvl = lagLevel(f, limits.get(f.flow));
          const budget = limits.get(f.flow)?.rpoBudget;
          return h("tr", { "data-flow": f.flow, class: `lvl-${lvl}` },
            h("th", { scope: "row" }, f.flow),
            h("td", {}, chip(f.state), f.reasons?.length ? h("div", { class: "muted" }, f.reasons.join("; ")) : null),
            h("td", { class: "num records" }, num(f.recordsBehind)),
            h("td", { class: "num" }, age(f.heartbeatAgeSeconds)),
            h("td", { class: "num" }, age(f.checkpointAgeSeconds)),
            h("td", { class: "num" }, budget ? `${num(budget.records)} rec${budget.checkpointAgeSeconds ? `, ${age(budget.checkpointAgeSeconds)}` : ""}` : "—"));
        }))),
    h("section", { id: "services", "aria-labelledby": "services-h" },
      h("h3", { id: "services-h" }, "Services"),
      table(null, ["Service", "Mode", "Clients in", "Active cluster", "Epoch", "State", "Writable", "Updates", "Actions"],
        status.services.map((sv) => {
          const def = topology.services.find((x) => x.name === sv.configuredService) || {};
          return h("tr", { "data-service": sv.service },
            h("th", { scope: "row" }, sv.service),
            h("td", {}, def.mode || "—"),
            h("td", { class: "client-region" }, sv.clientRegion || "every region"),
            h("td", { class: "active" }, sv.activeCluster, h("span", { class: "muted" }, ` (${sv.region})`)),
            h("td", { class: "num epoch" }, String(sv.epoch)),
            h("td", { class: "state" }, chip(sv.state)),
            h("td", { class: "writable" }, sv.writable ? "yes" : chip("not-writable", "no")),
            h("td", {}, state.live.get(sv.service) === "live" ? chip("live", "pushed") : h("span", { class: "muted" }, "every 2 s")),
            h("td", { class: "actions" },
              ["promote", "failover", "failback", "demote"].map((verb) =>
                h("button", { type: "button", "data-action": verb, onclick: () => openAction(verb, sv, state) },
                  verb[0].toUpperCase() + verb.slice(1) + "…"))));
        }))),
    writesSection(status),
    divergenceSection(status),
    h("p", { class: "muted small" }, `Updated ${time(new Date().toISOString())}`));
}

/** What old primaries kept that never reached the cluster their services moved to. */
function divergenceSection(status) {
  const tails = (status.divergence || []).filter((d) => d.records > 0);
  if (!tails.length) return null;
  return h("section", { id: "divergence", "aria-labelledby": "divergence-h" },
    h("h3", { id: "divergence-h" }, "Unreplicated tails of unplanned failovers"),
    table(null, ["Service", "Old primary", "Active", "Records", "Recovered", "Partitions", "Measured", "Action"],
      tails.map((d) =>
        h("tr", { "data-divergence": d.service },
          h("th", { scope: "row" }, d.service), h("td", {}, d.oldPrimary), h("td", {}, d.active),
          h("td", { class: "num" }, num(d.records)),
          h("td", { class: "num" }, d.recoveryId ? `${num(d.recovered)} (recovery ${d.recoveryId})` : "not yet"),
          h("td", {}, d.partitions.filter((p) => p.records > 0)
            .map((p) => `${p.topic}[${p.partition}] ${p.tailStart}..<${p.tailEnd}`).join(", ")),
          h("td", {}, d.oldPrimaryAnswers ? time(d.measuredAt) : `${d.oldPrimary} not answering: the journal's bound`),
          h("td", { class: "actions" }, recoverCell(d))))),
    h("p", { class: "muted small" }, "Recover copies a tail to the active cluster (docs/runbooks.md); an active-active lane's drains through replication."));
}

/** What can be done about a tail now, and why not when nothing can. */
function recoverCell(d) {
  if (d.byReplication) return h("span", { class: "muted" }, "draining through replication");
  if (d.recoveryId) return h("span", { class: "muted" }, `recovery ${d.recoveryId}`);
  if (!d.oldPrimaryAnswers) return h("span", { class: "muted" }, `once ${d.oldPrimary} answers`);
  return h("button", { type: "button", "data-action": "recover", onclick: () => openRecover(d) }, "Recover…");
}

/** Writes where they must not be: standbys taking writes, keys written in several regions. */
function writesSection(status) {
  const standby = status.standbyWrites || [];
  const conflicts = status.conflicts || [];
  if (!standby.length && !conflicts.length) return null;
  return h("section", { id: "writes", "aria-labelledby": "writes-h" },
    h("h3", { id: "writes-h" }, "Writes where they must not be"),
    standby.length
      ? table(null, ["Service", "Cluster (not active)", "State", "Records", "Partitions", "Watched since"],
          standby.map((w) =>
            h("tr", { "data-standby": `${w.service}/${w.cluster}` },
              h("th", { scope: "row" }, w.service), h("td", {}, w.cluster), h("td", {}, chip(w.state)),
              h("td", { class: "num" }, num(w.records)),
              h("td", {}, w.partitions.map((p) => `${p.topic}[${p.partition}]: ${p.records}`).join(", ") || "—"),
              h("td", {}, time(w.watchedSince)))))
      : null,
    conflicts.length
      ? table(null, ["Service (active-active)", "Keys in conflict now", "Conflicting writes", "Keys watched", "Newest"],
          conflicts.map((c) =>
            h("tr", { "data-conflicts": c.service },
              h("th", { scope: "row" }, c.service), h("td", { class: "num" }, num(c.conflictingKeys)),
              h("td", { class: "num" }, num(c.conflictingWrites)), h("td", { class: "num" }, `${num(c.keysWatched)} (1 in ${c.sample})`),
              h("td", {}, c.recent.length ? `${c.recent[0].topic} ${c.recent[0].key} on ${c.recent[0].clusters.join(" and ")}` : "—"))))
      : null);
}
