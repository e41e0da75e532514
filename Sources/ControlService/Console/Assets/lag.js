// Lag over the last hour per flow, with the policy's RPO budget.
import { h, replace, num, age } from "./dom.js";
import { lagChart } from "./charts.js";

export function renderLag(main, state) {
  const lag = state.lag;
  replace(
    main,
    h("h2", {}, "Replication lag"),
    h("p", { class: "muted" },
      `Records behind as this orchestrator measured them over the last ${Math.round(lag.windowSeconds / 60)} minutes, one point per ${lag.sampleSpacingSeconds} s. The dashed line is the smallest RPO budget (guards.maxLagRecords) of the policies of the services on the flow.`),
    lag.flows.map((f) => {
      const samples = f.samples || [];
      const last = samples.length ? samples[samples.length - 1] : null;
      const peak = samples.length ? Math.max(...samples.map((x) => x.recordsBehind)) : null;
      return h("section", { class: "lag-flow", "data-flow": f.flow },
        h("h3", {}, f.flow),
        lagChart(f, lag.windowSeconds),
        h("p", { class: "small" },
          `Now ${num(last?.recordsBehind)} records behind · peak ${num(peak)} · checkpoint age ${age(last?.checkpointAgeSeconds)} · `,
          f.rpoBudget
            ? `RPO budget ${num(f.rpoBudget.records)} records${f.rpoBudget.checkpointAgeSeconds ? `, checkpoints ≤ ${age(f.rpoBudget.checkpointAgeSeconds)}` : ""} (policy ${f.rpoBudget.policies.join(", ")})`
            : "no RPO budget"),
        canaryLine((state.status?.canaries || []).find((c) => c.flow === f.flow)));
    }));
}

/** The flow's replication canary, measured end to end (docs/configuration.md), if it has one. */
function canaryLine(c) {
  if (!c) return null;
  const latency = c.lastLatencySeconds === undefined ? "none arrived yet" : `latency ${c.lastLatencySeconds.toFixed(1)} s`;
  const median = c.medianLatencySeconds === undefined ? "" : ` (median ${c.medianLatencySeconds.toFixed(1)} s)`;
  return h("p", { class: `small canary${c.lost ? " lvl-bad" : ""}`, "data-canary": c.flow },
    `Canary ${c.topic} → ${c.copyTopic}: ${latency}${median} · ${num(c.sent)} sent, ${num(c.arrived)} arrived, ${num(c.lost)} lost`,
    c.lastError ? ` · ${c.lastError}` : "");
}
