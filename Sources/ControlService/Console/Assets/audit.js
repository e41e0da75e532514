// The audit log, newest first, a page at a time (the API pages backwards with `before`).
import { h, replace, time, table } from "./dom.js";
import { get, paths } from "./api.js";

const PAGE = 25;

export async function renderAudit(main, hash) {
  const m = /before=(\d+)/.exec(hash);
  const before = m ? m[1] : null;
  // One more than a page: whether an older page exists.
  const { entries } = await get(paths.audit(PAGE + 1, before));
  const page = entries.slice(0, PAGE);
  const older = entries.length > PAGE ? page[page.length - 1].id : null;
  replace(
    main,
    h("h2", {}, "Audit log"),
    table(before ? `Entries before #${before}` : "Newest entries",
      ["Id", "At", "Actor", "Action", "Subject", "Outcome", "Details"],
      page.map((e) =>
        h("tr", { "data-entry": e.id },
          h("td", { class: "num" }, String(e.id)), h("td", {}, time(e.at)), h("td", {}, e.actor), h("td", {}, e.action),
          h("td", {}, e.subject), h("td", {}, e.outcome), h("td", { class: "details" }, e.details))),
      { id: "audit-table" }),
    h("nav", { class: "pager", "aria-label": "Audit pages" },
      before ? h("a", { href: "#audit", id: "audit-newest" }, "← Newest") : null,
      older ? h("a", { href: `#audit/before=${older}`, id: "audit-older" }, "Older →") : null));
}
