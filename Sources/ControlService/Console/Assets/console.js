// The console: one page, five views (overview, lag, failovers, drills, audit), actions in a dialog.
// Reads the same API as failoverctl; follows services' event streams for changes.
import { h, replace } from "./dom.js";
import { get, token, APIError, paths, follow } from "./api.js";
import { renderOverview } from "./overview.js";
import { renderLag } from "./lag.js";
import { renderFailovers } from "./failovers.js";
import { renderAudit } from "./audit.js";
import { renderDrills } from "./drills.js";

const main = document.getElementById("main");
const banner = document.getElementById("banner");

/** What the views draw from; refreshed by `refresh`. */
export const state = {
  status: null,
  topology: null,
  controlPlane: null,
  lag: null,
  live: new Map(), // service -> "live" | "reconnecting"
  followers: [],
};

// Browsers keep six HTTP/1.1 connections per origin: following more services than this
// would leave none for the API. Beyond it, the periodic refresh shows changes.
const MAX_STREAMS = 4;

// Counts sign-ins and sign-outs: a refresh that began under an earlier one must not draw
// its view over the sign-in form (its answers arrive after the token is gone).
let session = 0;
let signInMessage;

export function showError(e) {
  if (e instanceof APIError && e.status === 401) {
    // The token is refused: forget it, or every tick would ask again and redraw the form.
    signOut(e.text);
    return;
  }
  replace(banner, e ? h("p", { class: "error" }, e instanceof APIError ? e.text : String(e.message || e)) : null);
}

function renderSession() {
  const el = document.getElementById("session");
  if (!token.get()) return replace(el);
  replace(
    el,
    h("button", {
      type: "button", class: "link", id: "sign-out",
      onclick: () => signOut(),
    }, "Forget token"));
}

function signOut(message) {
  session += 1;
  stopFollowing();
  token.clear();
  renderSignIn(message);
}

function renderSignIn(message) {
  signInMessage = message;
  stopFollowing();
  renderSession();
  replace(banner, message ? h("p", { class: "error", id: "auth-error" }, message) : null);
  const input = h("input", {
    type: "password", id: "token", name: "token", autocomplete: "off", required: true,
    "aria-describedby": "token-help",
  });
  const form = h("form", { class: "signin", id: "signin" },
    h("h2", {}, "Sign in with an API token"),
    h("label", { for: "token" }, "Token"),
    input,
    h("p", { id: "token-help", class: "muted" },
      "A token from the topology's api.tokens (viewer to look, operator to act). It is kept in this tab only, never in a URL or a cookie."),
    h("button", { type: "submit" }, "Use token"));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    session += 1;
    token.set(input.value.trim());
    replace(banner);
    start();
  });
  replace(main, form);
  input.focus();
}

/** What the overview and the lag view draw from; the overview needs only the budgets. */
async function loadShared(view) {
  const [status, topology, controlPlane, lag] = await Promise.all([
    get(paths.status), state.topology ? state.topology : get(paths.topology), get(paths.controlPlane),
    get(paths.lag(view === "lag" ? 3600 : 1)),
  ]);
  Object.assign(state, { status, topology, controlPlane, lag });
}

function stopFollowing() {
  for (const stop of state.followers) stop();
  state.followers = [];
  state.live.clear();
}

function startFollowing() {
  stopFollowing();
  for (const svc of (state.topology?.services || []).slice(0, MAX_STREAMS)) {
    state.followers.push(
      follow(svc.name, () => refresh(), (st) => {
        state.live.set(svc.name, st);
      }));
  }
}

let timer = null;
let rendering = false;
let again = false;

/**
 * A selector that finds the focused control again after the view is drawn anew, so that a
 * refresh never takes the focus from someone using the keyboard.
 */
function focusKey(el) {
  if (!el || el === document.body || !main.contains(el)) return null;
  if (el.id) return `#${CSS.escape(el.id)}`;
  const href = el.getAttribute("href");
  if (href) return `a[href="${CSS.escape(href)}"]`;
  const action = el.dataset.action;
  const row = el.closest("[data-service],[data-failover],[data-divergence],[data-drill]");
  if (action && row) {
    const attr = ["data-service", "data-failover", "data-divergence", "data-drill"].find((a) => row.hasAttribute(a));
    return `[${attr}="${CSS.escape(row.getAttribute(attr))}"] [data-action="${CSS.escape(action)}"]`;
  }
  return null;
}

/** Reloads what the current view shows and draws it again. */
export async function refresh() {
  if (!token.get()) return;
  if (rendering) {
    again = true;
    return;
  }
  rendering = true;
  const began = session;
  try {
    const view = (location.hash.slice(1) || "overview").split("/")[0];
    const focused = focusKey(document.activeElement);
    for (const a of document.querySelectorAll("nav a")) {
      if (a.dataset.view === view) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    }
    if (view === "audit") await renderAudit(main, location.hash);
    else if (view === "failovers") await renderFailovers(main, location.hash);
    else if (view === "drills") await renderDrills(main, location.hash, state);
    else {
      await loadShared(view);
      if (began !== session) return;
      if (view === "lag") renderLag(main, state);
      else renderOverview(main, state);
    }
    if (began !== session && !token.get()) {
      // Signed out while this view loaded: the form again, not the view.
      renderSignIn(signInMessage);
      return;
    }
    if (focused) main.querySelector(focused)?.focus({ preventScroll: true });
    if (banner.querySelector(".error:not(#auth-error)")) replace(banner);
  } catch (e) {
    showError(e);
  } finally {
    rendering = false;
    if (again) {
      again = false;
      if (token.get()) queueMicrotask(refresh);
    }
  }
}

async function start() {
  renderSession();
  if (!token.get()) return renderSignIn();
  try {
    state.topology = null;
    await loadShared("overview");
  } catch (e) {
    return showError(e);
  }
  if (!token.get()) return;
  renderSession();
  startFollowing();
  await refresh();
  clearInterval(timer);
  // Health, lag and the running failover change without a discovery event.
  // The audit log is history: it is drawn when opened or paged, not on the timer.
  timer = setInterval(() => {
    const view = (location.hash.slice(1) || "overview").split("/")[0];
    if (token.get() && view !== "audit" && !document.querySelector("dialog[open]")) refresh();
  }, 2000);
}

window.addEventListener("hashchange", () => {
  if (token.get()) {
    refresh();
    main.focus();
  }
});
// An action changed something (actions.js): show it now rather than at the next tick.
window.addEventListener("console:changed", () => refresh());
start();
