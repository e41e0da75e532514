// Drills: the trend of RPO and RTO over the drills, the list, one drill's report, and a
// dialog to start one (dry run first: the plan and every closed gate).
import { h, s, replace, chip, num, time, ms, table } from "./dom.js";
import { get, paths } from "./api.js";
import { openDrill } from "./actions.js";

export async function renderDrills(main, hash, state) {
  const id = hash.split("/")[1];
  const [list, one] = await Promise.all([get(paths.drills(50)), id ? get(paths.drill(id)) : Promise.resolve(null)]);
  const drills = list.drills;
  const services = (state.topology?.services || []).filter((x) => x.mode !== "active-active");
  replace(
    main,
    h("h2", {}, "Drills"),
    h("p", { class: "muted" },
      "A drill is a planned switchover to a standby and back with canary clients that follow discovery: RPO is the acknowledged canary records never read (must be 0), RTO the time from request to writable on the target, client follow the time from discovery's change to the canary's first record there."),
    h("p", { class: "actions" },
      services.map((x) => h("button", { type: "button", "data-action": "drill", "data-service": x.name, onclick: () => openDrill(x.name) }, `Drill ${x.name}…`))),
    trend(drills.filter((d) => d.status !== "refused" && d.status !== "running").slice().reverse()),
    one ? report(one) : null,
    table("Newest first", ["Id", "Service", "Started", "By", "Status", "RPO", "RTO out", "RTO back", "Client follow", "Offsets", "Why"],
      drills.map((d) => {
        const out = d.report.legs.find((l) => l.direction === "out");
        const back = d.report.legs.find((l) => l.direction === "back");
        return h("tr", { "data-drill": d.id, class: String(d.id) === id ? "selected" : null },
          h("td", {}, h("a", { href: `#drills/${d.id}` }, `#${d.id}`)),
          h("td", {}, d.service), h("td", {}, time(d.createdAt)), h("td", {}, d.trigger),
          h("td", {}, chip(d.status)),
          h("td", { class: "num" }, d.status === "refused" ? "—" : `${num(d.report.lost)} records`),
          h("td", { class: "num" }, ms(out?.rtoMs)), h("td", { class: "num" }, ms(back?.rtoMs)),
          h("td", { class: "num" }, ms(out?.clientFollowMs)),
          h("td", {}, d.status === "refused" ? "—" : d.report.offsetsExact ? "exact" : "not exact"),
          h("td", {}, [...d.refusal, ...d.report.problems][0] || ""));
      }),
      { id: "drill-list" }));
}

/** RTO out and back (lines, seconds) and RPO (bars, records) over the drills, oldest left. */
function trend(drills) {
  const W = 640, H = 200, L = 56, R = 56, T = 18, B = 26;
  const rto = (d, dir) => d.report.legs.find((l) => l.direction === dir)?.rtoMs;
  const topRTO = Math.max(1000, ...drills.flatMap((d) => [rto(d, "out") || 0, rto(d, "back") || 0]));
  const topRPO = Math.max(1, ...drills.map((d) => d.report.lost));
  const n = drills.length;
  const x = (i) => L + (n <= 1 ? (W - L - R) / 2 : (i / (n - 1)) * (W - L - R));
  const y = (v, top) => T + (1 - v / top) * (H - T - B);
  const svg = s("svg", {
    viewBox: `0 0 ${W} ${H}`, class: "chart", role: "img", id: "drill-trend",
    "aria-label": n
      ? `${n} drills: RTO out last ${ms(rto(drills[n - 1], "out"))}, back ${ms(rto(drills[n - 1], "back"))}; RPO last ${num(drills[n - 1].report.lost)} records`
      : "no drill has run yet",
  });
  svg.append(
    s("line", { x1: L, y1: y(0, 1), x2: W - R, y2: y(0, 1), class: "axis" }),
    s("line", { x1: L, y1: T, x2: L, y2: y(0, 1), class: "axis" }),
    s("text", { x: L - 6, y: T + 4, "text-anchor": "end", class: "tick" }, ms(topRTO)),
    s("text", { x: W - R + 6, y: T + 4, class: "tick" }, `${num(topRPO)} lost`),
    s("text", { x: L - 6, y: y(0, 1), "text-anchor": "end", class: "tick" }, "0"),
    s("text", { x: L, y: H - 6, class: "tick" }, "oldest"),
    s("text", { x: W - R, y: H - 6, "text-anchor": "end", class: "tick" }, "newest"));
  if (!n) {
    svg.append(s("text", { x: (W + L) / 2, y: H / 2, "text-anchor": "middle", class: "tick" }, "no drill has run yet"));
    return svg;
  }
  drills.forEach((d, i) => {
    if (d.report.lost > 0) {
      svg.append(s("rect", { x: x(i) - 4, y: y(d.report.lost, topRPO), width: 8, height: y(0, 1) - y(d.report.lost, topRPO), class: "rpo-bar" }));
    }
  });
  for (const [dir, cls] of [["out", "series"], ["back", "series series-back"]]) {
    const pts = drills.map((d, i) => [x(i), rto(d, dir)]).filter(([, v]) => v !== undefined);
    if (pts.length) svg.append(s("polyline", { points: pts.map(([px, v]) => `${px.toFixed(1)},${y(v, topRTO).toFixed(1)}`).join(" "), class: cls }));
    // A point per drill: one drill alone is a point, not a line.
    for (const [px, v] of pts) svg.append(s("circle", { cx: px.toFixed(1), cy: y(v, topRTO).toFixed(1), r: 3.5, class: `dot dot-${dir}` }));
  }
  svg.append(
    s("text", { x: (W + L - R) / 2, y: H - 6, "text-anchor": "middle", class: "tick legend" }, "— RTO out   - - RTO back   ▮ RPO (records lost, right axis)"));
  return svg;
}

function report(d) {
  return h("section", { class: "timeline", id: "drill-report", "data-drill": d.id, "data-status": d.status },
    h("h3", {}, `#${d.id} drill of ${d.service}: ${d.fromCluster} → ${d.toCluster} and back `, chip(d.status)),
    h("dl", { class: "facts" },
      h("dt", {}, "Requested by"), h("dd", {}, `${d.requestedBy} (${d.trigger})`),
      h("dt", {}, "Reason"), h("dd", {}, d.reason || "—"),
      h("dt", {}, "RPO"), h("dd", { id: "drill-rpo" }, `${num(d.report.lost)} of ${num(d.report.acknowledged)} acknowledged canary records lost`),
      h("dt", {}, "Offsets"), h("dd", {}, `${d.report.offsetsExact ? "exact" : "not exact"} (${num(d.report.reread)} records read twice)`),
      h("dt", {}, "Canary"), h("dd", {}, `${d.report.topic || "—"}, group ${d.report.group}`),
      h("dt", {}, "Took"), h("dd", {}, d.finishedAt ? ms(Date.parse(d.finishedAt) - Date.parse(d.createdAt)) : "running")),
    [...d.refusal, ...d.report.problems].length
      ? h("ul", { class: "warnings" }, [...d.refusal, ...d.report.problems].map((p) => h("li", {}, p)))
      : null,
    d.report.legs.map((l) =>
      h("div", { class: "leg", "data-leg": l.direction },
        h("h4", {}, `${l.direction}: ${l.fromCluster} → ${l.toCluster} · RTO ${ms(l.rtoMs)} · client follow ${ms(l.clientFollowMs)} · failover `,
          l.failoverId ? h("a", { href: `#failovers/${l.failoverId}` }, `#${l.failoverId}`) : "—"),
        table(null, ["Step", "Status", "Took", "Details"],
          l.steps.map((st) => h("tr", {}, h("td", {}, st.name), h("td", {}, chip(st.status)), h("td", { class: "num" }, ms(st.durationMs)), h("td", {}, st.details)))))));
}

