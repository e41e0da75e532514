// Hand-drawn SVG: the flows between clusters, and lag over time. Labels are text nodes.
import { s, num, age } from "./dom.js";

/** Lag, heartbeat and checkpoint age against the budget and thresholds: ok, warn or bad. */
export function lagLevel(flow, limits) {
  const over = (v, max) => v !== undefined && v !== null && max !== undefined && max !== null && v > max;
  const b = limits?.rpoBudget || {};
  const d = limits?.degradedAbove || {};
  if (flow.state === "unreachable") return "bad";
  if (over(flow.recordsBehind, b.records) || over(flow.checkpointAgeSeconds, b.checkpointAgeSeconds)) return "bad";
  if (
    flow.state === "degraded" ||
    over(flow.recordsBehind, d.recordsBehind) ||
    over(flow.heartbeatAgeSeconds, d.heartbeatAgeSeconds) ||
    over(flow.checkpointAgeSeconds, d.checkpointAgeSeconds)
  )
    return "warn";
  if (flow.state === "unknown" || flow.recordsBehind === undefined) return "unknown";
  return "ok";
}

/**
 * Clusters on a circle (two: side by side), each flow an arrow from source to target;
 * a pair of flows both ways bends apart so both stay readable.
 */
export function flowDiagram(clusters, flows, limits) {
  const W = 640;
  const H = clusters.length > 2 ? 360 : 170;
  const r = 44;
  const pos = new Map();
  clusters.forEach((c, i) => {
    if (clusters.length <= 2) {
      pos.set(c.cluster, { x: clusters.length === 1 ? W / 2 : 130 + i * (W - 260), y: H / 2 });
    } else {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / clusters.length;
      pos.set(c.cluster, { x: W / 2 + Math.cos(a) * (W / 2 - 110), y: H / 2 + Math.sin(a) * (H / 2 - 60) });
    }
  });
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`, class: "diagram", role: "img",
    "aria-label": `Replication flows between ${clusters.length} clusters`,
  });
  svg.append(
    s("defs", {},
      ["ok", "warn", "bad", "unknown"].map((lvl) =>
        s("marker", { id: `arrow-${lvl}`, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
          s("path", { d: "M0,0 L10,5 L0,10 z", class: `arrowhead lvl-${lvl}` })))));
  for (const f of flows) {
    const a = pos.get(f.source);
    const b = pos.get(f.target);
    if (!a || !b) continue;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const ux = dx / len;
    const uy = dy / len;
    // Normal to the line, to the right of the direction of travel: the two directions of a
    // pair bend to opposite sides.
    const nx = -uy;
    const ny = ux;
    const bend = 34;
    const x1 = a.x + ux * r + nx * 10;
    const y1 = a.y + uy * r + ny * 10;
    const x2 = b.x - ux * (r + 4) + nx * 10;
    const y2 = b.y - uy * (r + 4) + ny * 10;
    const cx = (a.x + b.x) / 2 + nx * bend;
    const cy = (a.y + b.y) / 2 + ny * bend;
    const lvl = lagLevel(f, limits.get(f.flow));
    const label = `${f.flow}: ${num(f.recordsBehind)} rec · hb ${age(f.heartbeatAgeSeconds)}`;
    svg.append(
      s("g", { class: `flow lvl-${lvl}`, "data-flow": f.flow },
        s("title", {}, `${f.flow} (${f.state}): ${num(f.recordsBehind)} records behind, heartbeat ${age(f.heartbeatAgeSeconds)}, checkpoint ${age(f.checkpointAgeSeconds)}`),
        s("path", { d: `M${x1},${y1} Q${cx},${cy} ${x2},${y2}`, "marker-end": `url(#arrow-${lvl})` }),
        s("text", { x: (x1 + x2) / 2 * 0.5 + cx * 0.5, y: (y1 + y2) / 2 * 0.5 + cy * 0.5 + (ny > 0 ? 14 : -6), "text-anchor": "middle" }, label)));
  }
  for (const c of clusters) {
    const p = pos.get(c.cluster);
    svg.append(
      s("g", { class: `node st-${c.state}`, "data-cluster": c.cluster },
        s("title", {}, `${c.cluster} in ${c.region}: ${c.state}${c.reasons?.length ? ` (${c.reasons.join("; ")})` : ""}`),
        s("circle", { cx: p.x, cy: p.y, r }),
        s("text", { x: p.x, y: p.y - 3, "text-anchor": "middle", class: "name" }, c.cluster),
        s("text", { x: p.x, y: p.y + 14, "text-anchor": "middle", class: "sub" }, c.state)));
  }
  return svg;
}

/** Records behind over the window, the RPO budget as a dashed line when there is one. */
export function lagChart(flow, windowSeconds, now = Date.now()) {
  const W = 640, H = 200, L = 64, R = 12, T = 14, B = 26;
  const samples = flow.samples || [];
  const budget = flow.rpoBudget?.records;
  const top = Math.max(1, ...samples.map((x) => x.recordsBehind), budget ? budget * 1.1 : 0);
  const x = (t) => L + ((t - (now - windowSeconds * 1000)) / (windowSeconds * 1000)) * (W - L - R);
  const y = (v) => T + (1 - v / top) * (H - T - B);
  const last = samples.length ? samples[samples.length - 1].recordsBehind : null;
  const peak = samples.length ? Math.max(...samples.map((p) => p.recordsBehind)) : null;
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img",
    "aria-label": `${flow.flow}: ${samples.length} samples, last ${num(last)}, peak ${num(peak)} records behind${budget ? `, RPO budget ${num(budget)}` : ""}`,
  });
  svg.append(
    s("line", { x1: L, y1: y(0), x2: W - R, y2: y(0), class: "axis" }),
    s("line", { x1: L, y1: T, x2: L, y2: y(0), class: "axis" }),
    s("text", { x: L - 6, y: T + 4, "text-anchor": "end", class: "tick" }, num(Math.round(top))),
    s("text", { x: L - 6, y: y(0), "text-anchor": "end", class: "tick" }, "0"),
    s("text", { x: L, y: H - 6, class: "tick" }, `${Math.round(windowSeconds / 60)} min ago`),
    s("text", { x: W - R, y: H - 6, "text-anchor": "end", class: "tick" }, "now"));
  if (budget) {
    svg.append(
      s("line", { x1: L, y1: y(budget), x2: W - R, y2: y(budget), class: "budget" }),
      s("text", { x: W - R - 4, y: y(budget) - 5, "text-anchor": "end", class: "budget-label" }, `RPO budget ${num(budget)}`));
  }
  if (samples.length) {
    const pts = samples.map((p) => `${x(Date.parse(p.at)).toFixed(1)},${y(p.recordsBehind).toFixed(1)}`);
    if (samples.length === 1) pts.push(`${x(now).toFixed(1)},${y(samples[0].recordsBehind).toFixed(1)}`);
    svg.append(s("polyline", { points: pts.join(" "), class: "series" }));
  } else {
    svg.append(s("text", { x: (W + L) / 2, y: H / 2, "text-anchor": "middle", class: "tick" }, "no measurement yet"));
  }
  return svg;
}
