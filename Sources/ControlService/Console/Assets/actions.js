// Actions in a modal dialog: a dry-run plan first, then the real request once the
// operator has typed the service's name. The API's refusal (401, 403, 409...) is shown
// as the API words it; nothing is retried behind the operator's back.
import { h, replace, num, table } from "./dom.js";
import { post, paths, APIError } from "./api.js";

const dialog = () => document.getElementById("dialog");

const VERBS = {
  promote: "Promote a standby (planned switchover, or forced)",
  failover: "Fail over now (unplanned: no drain)",
  failback: "Fail back to the primary",
  demote: "Demote: make the active cluster not writable",
};

function changed() {
  window.dispatchEvent(new Event("console:changed"));
}

function errorText(e) {
  return e instanceof APIError ? e.text : String(e.message || e);
}

function field(label, control) {
  return h("p", { class: "field" }, h("label", { for: control.id }, label), control);
}

/** The dialog for a service action: its inputs, the plan, the confirmation. */
export function openAction(verb, current, state) {
  const d = dialog();
  // An active-active region's lane acts on its configured service, for its region.
  const service = current.service;
  const base = current.configuredService;
  const region = current.clientRegion;
  const def = state.topology.services.find((x) => x.name === base) || { primary: "", standbys: [] };
  const clusters = [def.primary, ...def.standbys].filter((c) => c && c !== current?.activeCluster);
  const inputs = {};
  const controls = [];
  if (verb === "promote" || verb === "failover") {
    inputs.to = h("select", { id: "action-to" },
      verb === "failover" ? h("option", { value: "" }, "the best standby") : null,
      clusters.map((c) => h("option", { value: c }, c)));
    controls.push(field(verb === "promote" ? "Cluster to promote" : "Fail over to", inputs.to));
  }
  if (verb === "promote") {
    inputs.mode = h("select", { id: "action-mode" },
      h("option", { value: "planned" }, "planned (drain first: loses nothing)"),
      h("option", { value: "forced" }, "forced (no drain)"));
    controls.push(field("Mode", inputs.mode));
  }
  inputs.reason = h("input", { id: "action-reason", type: "text", maxlength: 1000, autocomplete: "off" });
  controls.push(field("Reason (audited)", inputs.reason));

  const body = () => {
    const b = { reason: inputs.reason.value };
    if (region) b.region = region;
    if (inputs.to && inputs.to.value) b.to = inputs.to.value;
    if (inputs.mode) b.mode = inputs.mode.value;
    return b;
  };
  const error = h("div", { id: "action-error", role: "alert" });
  const plan = h("div", { id: "action-plan" });
  const confirm = h("div", { id: "action-confirm" });
  const planButton = h("button", { type: "button", id: "action-dry-run" }, "Show the plan (dry run)");
  planButton.addEventListener("click", async () => {
    replace(error);
    replace(plan, h("p", { class: "muted" }, "Planning…"));
    replace(confirm);
    try {
      const outcome = await post(paths.action(base, verb), { ...body(), dryRun: true });
      replace(plan, renderPlan(outcome));
      replace(confirm, confirmation(service, verb, async () => {
        const result = await post(paths.action(base, verb), { ...body(), dryRun: false });
        d.close();
        if (result.failover) location.hash = `#failovers/${result.failover.id}`;
        changed();
      }, error));
    } catch (e) {
      replace(plan);
      replace(error, h("p", { class: "error" }, errorText(e)));
    }
  });
  replace(d,
    h("h2", { id: "dialog-title" }, `${VERBS[verb]}: ${service}`),
    h("p", { class: "muted" }, `Active now: ${current?.activeCluster ?? "—"} at epoch ${current?.epoch ?? "—"}.`),
    controls,
    h("p", {}, planButton, " ", h("button", { type: "button", class: "secondary", onclick: () => d.close() }, "Cancel")),
    error, plan, confirm);
  d.showModal();
  planButton.focus();
}

/**
 * A dialog that asks for a dry run first: `fields` (nodes), a plan button, the plan that
 * `plan(dryRun=true)` answers drawn by `draw`, then — when `ready(answer)` says so — the
 * service's name typed to `act`.
 */
function planFirstDialog({ title, intro, fields, verb, service, request, draw, ready = () => true, done }) {
  const d = dialog();
  const error = h("div", { id: "action-error", role: "alert" });
  const plan = h("div", { id: "action-plan" });
  const confirm = h("div", { id: "action-confirm" });
  const planButton = h("button", { type: "button", id: "action-dry-run" }, "Show the plan (dry run)");
  planButton.addEventListener("click", async () => {
    replace(error);
    replace(confirm);
    try {
      const answer = await request(true);
      replace(plan, draw(answer));
      if (ready(answer)) {
        replace(confirm, confirmation(service, verb, async () => {
          const r = await request(false);
          d.close();
          done?.(r);
          changed();
        }, error));
      }
    } catch (e) {
      replace(plan);
      replace(error, h("p", { class: "error" }, errorText(e)));
    }
  });
  replace(d,
    h("h2", { id: "dialog-title" }, title),
    intro ? h("p", { class: "muted" }, intro) : null,
    fields,
    h("p", {}, planButton, " ", h("button", { type: "button", class: "secondary", onclick: () => d.close() }, "Cancel")),
    error, plan, confirm);
  d.showModal();
  planButton.focus();
}

/** Recover a tail: into the active topic or quarantine; the plan first, then the copy. */
export function openRecover(divergence) {
  const service = divergence.service;
  const into = h("select", { id: "recover-into" },
    h("option", { value: "active" }, `active: the service's own topics on ${divergence.active}`),
    h("option", { value: "quarantine" }, "quarantine: the policy's quarantine topics, to look first"));
  const reason = h("input", { id: "action-reason", type: "text", maxlength: 1000, autocomplete: "off" });
  planFirstDialog({
    title: `Recover the tail of ${service}`,
    intro: `${num(divergence.records)} records on ${divergence.oldPrimary} never reached ${divergence.active} (failover ${divergence.failoverId}).`,
    fields: [field("Into", into), field("Reason (audited)", reason)],
    verb: "recover", service,
    request: (dryRun) => post(paths.recover(service), { into: into.value, reason: reason.value, dryRun }),
    draw: (p) => h("section", { class: "plan" },
      h("h3", {}, `Plan: ${num(p.records)} records of failover ${p.failoverId}, ${p.from} → ${p.to} (${p.into})`),
      table(null, ["Topic", "Partition", "Offsets", "To"],
        p.partitions.map((x) => h("tr", {}, h("td", {}, x.topic), h("td", { class: "num" }, String(x.partition)),
          h("td", {}, `${x.tailStart}..<${x.tailEnd}`), h("td", {}, `${x.destTopic}[${x.destPartition}]`))),
        { id: "recover-partitions" }),
      h("p", { class: "muted small" }, "Each copy keeps key, value, headers and timestamp and gains failoverctl.origin.* headers; none is copied twice.")),
  });
}

/** Drill a service: the plan and the closed gates first (dry run), then the drill. */
export function openDrill(service) {
  const backAfter = h("input", { id: "drill-back-after", type: "text", value: "5m", maxlength: 32, autocomplete: "off" });
  const reason = h("input", { id: "action-reason", type: "text", maxlength: 1000, autocomplete: "off" });
  planFirstDialog({
    title: `Drill ${service}: a measured switchover and back`,
    fields: [field("Stay on the standby for", backAfter), field("Reason (audited)", reason)],
    verb: "drill", service,
    request: (dryRun) => post(paths.startDrill(service), { backAfter: backAfter.value, reason: reason.value, dryRun }),
    draw: (p) => h("section", { class: "plan" },
      h("h3", {}, `Plan: ${p.fromCluster} → ${p.toCluster}, back after ${p.backAfterSeconds} s`),
      h("ol", { class: "plan-steps" }, p.plan.map((x) => h("li", {}, x))),
      p.closedGates.length
        ? h("ul", { class: "warnings", id: "drill-gates" }, p.closedGates.map((g) => h("li", {}, `Refused now: ${g}`)))
        : h("p", { id: "drill-gates" }, "Every gate is open.")),
    // Only a drill every gate lets through can be started.
    ready: (p) => p.closedGates.length === 0,
    done: (r) => {
      if (r.drill) location.hash = `#drills/${r.drill.id}`;
    },
  });
}

/** Ack, abort or resume a failover, after the service's name is typed. */
export function openFailoverAction(verb, f) {
  const d = dialog();
  const error = h("div", { id: "action-error", role: "alert" });
  replace(d,
    h("h2", { id: "dialog-title" }, `${verb[0].toUpperCase() + verb.slice(1)} failover #${f.id} of ${f.service}`),
    h("p", {}, `${f.kind} ${f.sourceCluster} → ${f.targetCluster}, now ${f.status}.`),
    confirmation(f.service, verb, async () => {
      await post(paths.failoverAction(f.id, verb), {});
      d.close();
      changed();
    }, error),
    h("p", {}, h("button", { type: "button", class: "secondary", onclick: () => d.close() }, "Cancel")),
    error);
  d.showModal();
  d.querySelector("#action-confirm-name")?.focus();
}

/** A text field that must hold the service's name before the button does anything. */
function confirmation(service, verb, act, error) {
  const input = h("input", { id: "action-confirm-name", type: "text", autocomplete: "off", spellcheck: "false" });
  const go = h("button", { type: "button", id: "action-go", class: "danger", disabled: true }, `${verb[0].toUpperCase() + verb.slice(1)} ${service}`);
  input.addEventListener("input", () => {
    go.disabled = input.value !== service;
  });
  go.addEventListener("click", async () => {
    if (input.value !== service) return;
    go.disabled = true;
    replace(error);
    try {
      await act();
    } catch (e) {
      replace(error, h("p", { class: "error" }, errorText(e)));
      go.disabled = false;
    }
  });
  return h("div", { class: "confirm" },
    h("label", { for: "action-confirm-name" }, `Type the service's name (${service}) to ${verb}`),
    input, " ", go);
}

function renderPlan(o) {
  const tr = o.translations || [];
  return h("section", { class: "plan" },
    h("h3", {}, `Plan: ${o.fromCluster} (epoch ${o.fromEpoch}) → ${o.toCluster} (epoch ${o.toEpoch})`),
    o.expectedLossRecords !== undefined ? h("p", { class: "loss" }, `Expected loss: at most ${num(o.expectedLossRecords)} records`) : null,
    o.warnings?.length ? h("ul", { class: "warnings" }, o.warnings.map((w) => h("li", {}, w))) : null,
    h("ol", { class: "plan-steps" }, (o.plan || []).map((p) => h("li", {}, p))),
    o.unreplicated?.length
      ? table("Written to the failed cluster, never replicated", ["Topic", "Partition", "Records"],
          o.unreplicated.map((p) => h("tr", {}, h("td", {}, p.topic), h("td", { class: "num" }, String(p.partition)), h("td", { class: "num" }, num(p.recordsBehind)))))
      : null,
    table(`Offsets to write on ${o.toCluster}: ${tr.length} group-partitions`,
      ["Group", "Topic", "Partition", "Committed", "Translated", "Re-delivery at most", "Basis"],
      tr.map((t) =>
        h("tr", { class: t.error ? "lvl-bad" : null },
          h("td", {}, t.group), h("td", {}, t.sourceTopic === t.targetTopic ? t.targetTopic : `${t.sourceTopic} → ${t.targetTopic}`),
          h("td", { class: "num" }, String(t.partition)), h("td", { class: "num" }, num(t.upstreamOffset)),
          h("td", { class: "num" }, t.translatedOffset === undefined ? "not translated" : num(t.translatedOffset)),
          h("td", { class: "num" }, t.redeliveryBound === undefined ? "—" : num(t.redeliveryBound)),
          h("td", {}, t.error ? `${t.basis}: ${t.error}` : t.basis))),
      { id: "translations" }));
}
