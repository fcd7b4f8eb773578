// The dashboard: plain JavaScript, no build step. Every call carries the API key the user entered
// once; it is kept in this tab's sessionStorage and sent as a Bearer token, as any client sends it.
"use strict";

const KEY = "batch-inference.key";
const POLL_MS = 2000;
const FINAL = new Set(["completed", "completed_with_errors", "failed", "cancelled", "expired"]);
const view = document.getElementById("view");
let timer = null;
const history = {}; // batch id -> [{t, done}] seen while its page was open

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { Authorization: "Bearer " + sessionStorage.getItem(KEY), ...(options.headers || {}) },
  });
  if (response.status === 401) {
    logout();
    throw new Error("the API key was refused");
  }
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new Error((body && (body.detail || body.title)) || response.status + " " + response.statusText);
  }
  return body;
}

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function showError(e) {
  const box = document.getElementById("error");
  box.textContent = e ? e.message || String(e) : "";
  box.hidden = !e;
}

function progressBar(p, testId) {
  const total = Math.max(1, p.total || 0);
  const done = (p.completed || 0) / total * 100;
  const failed = (p.failed || 0) / total * 100;
  return el("div", { class: "bar", "data-testid": testId, "data-done": String(p.completed + p.failed + (p.cancelled || 0)),
      "data-total": String(p.total), role: "progressbar", "aria-valuenow": String(Math.round(done + failed)) },
    el("span", { style: "width:" + done + "%" }),
    el("span", { class: "failed", style: "left:" + done + "%;width:" + failed + "%" }));
}

function status(s) {
  return el("span", { class: "status " + s, "data-testid": "status" }, s);
}

function throughput(b) {
  if (!b.started_at) return "";
  const end = b.completed_at ? Date.parse(b.completed_at) : Date.now();
  const seconds = Math.max(0.001, (end - Date.parse(b.started_at)) / 1000);
  return Math.round((b.progress.completed + b.progress.failed) / seconds) + " items/s";
}

function eta(b) {
  if (FINAL.has(b.status) || !b.estimated_completion) return "";
  const s = Math.max(0, Math.round((Date.parse(b.estimated_completion) - Date.now()) / 1000));
  return s < 90 ? s + " s" : Math.round(s / 60) + " min";
}

async function cancel(id) {
  await api("/v1/batch/" + encodeURIComponent(id) + "/cancel", { method: "POST" });
}

async function retry(id) {
  const r = await api("/v1/batch/" + encodeURIComponent(id) + "/retry", { method: "POST" });
  location.hash = "#/batch/" + r.batch_id;
}

function actions(b) {
  const out = [];
  if (!FINAL.has(b.status) && b.status !== "cancelling") {
    out.push(el("button", { class: "danger", "data-testid": "cancel", type: "button",
      onclick: () => cancel(b.batch_id).then(render).catch(showError) }, "Cancel"));
  }
  if (FINAL.has(b.status) && b.status !== "completed") {
    out.push(el("button", { "data-testid": "retry", type: "button",
      onclick: () => retry(b.batch_id).catch(showError) }, "Retry failed items"));
  }
  return out;
}

async function batchesPage() {
  const page = await api("/v1/batches?limit=50");
  const rows = page.data.map(b => el("tr", { "data-batch": b.batch_id },
    el("td", {}, el("a", { href: "#/batch/" + b.batch_id }, b.batch_id.slice(0, 8))),
    el("td", { class: "wide" }, b.model + " " + (b.model_version || "")),
    el("td", { class: "wide" }, b.priority),
    el("td", {}, status(b.status)),
    el("td", {}, progressBar(b.progress, "progress"),
      el("small", { class: "muted" }, (b.progress.completed + b.progress.failed) + " / " + b.progress.total)),
    el("td", { class: "wide" }, throughput(b)),
    el("td", { class: "wide" }, eta(b)),
    el("td", {}, actions(b))));
  return [el("h1", {}, "Batches"),
    el("table", { "data-testid": "batches" },
      el("thead", {}, el("tr", {}, ["batch", "model", "priority", "status", "progress", "throughput", "ETA", ""]
        .map((h, i) => el("th", { class: [1, 2, 5, 6].includes(i) ? "wide" : "" }, h)))),
      el("tbody", {}, rows.length ? rows : el("tr", {}, el("td", { colspan: 8, class: "muted" }, "No batches yet."))))];
}

function chart(points) {
  const w = 600, h = 140;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  svg.setAttribute("class", "chart");
  svg.setAttribute("data-testid", "progress-chart");
  if (points.length > 1) {
    const t0 = points[0].t, t1 = points[points.length - 1].t || t0 + 1;
    const max = Math.max(1, ...points.map(p => p.total));
    const d = points.map((p, i) => (i ? "L" : "M") + ((p.t - t0) / Math.max(1, t1 - t0) * (w - 10) + 5).toFixed(1)
      + "," + (h - 5 - p.done / max * (h - 10)).toFixed(1)).join(" ");
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "#2f6fed");
    path.setAttribute("stroke-width", "2");
    svg.append(path);
  }
  return svg;
}

async function batchPage(id) {
  const path = "/v1/batch/" + encodeURIComponent(id);
  const [b, results, callbacks] = await Promise.all([
    api(path + "/status"),
    api(path + "/results?limit=5").catch(() => ({ results: [] })),
    api(path + "/callbacks").catch(() => ({ deliveries: [], attempts: [] })),
  ]);
  const p = b.progress;
  const seen = (history[id] = history[id] || []);
  const done = p.completed + p.failed + (p.cancelled || 0);
  if (!seen.length || seen[seen.length - 1].done !== done) seen.push({ t: Date.now(), done, total: p.total });
  const attempts = (callbacks.attempts || []).map(a => typeof a === "string" ? JSON.parse(a) : a);
  return [
    el("h1", {}, "Batch ", el("code", { "data-testid": "batch-id" }, b.batch_id), " ", status(b.status)),
    el("div", { class: "card" }, progressBar(p, "progress"),
      el("div", { class: "grid" },
        stat("completed", p.completed), stat("failed", p.failed), stat("cancelled", p.cancelled || 0), stat("total", p.total),
        stat("throughput", throughput(b) || "–"), stat("ETA", eta(b) || "–")),
      el("p", {}, actions(b))),
    el("h2", {}, "Progress over time"), el("div", { class: "card" }, chart(seen)),
    el("h2", {}, "Results (first 5)"),
    el("div", { class: "card", "data-testid": "results" },
      (results.results || []).map(r => el("pre", {}, JSON.stringify(r)))),
    el("h2", {}, "Webhook attempts"),
    el("table", { "data-testid": "webhook-attempts" },
      el("thead", {}, el("tr", {}, ["event", "attempt", "at", "HTTP", "outcome", "error"].map(h => el("th", {}, h)))),
      el("tbody", {}, attempts.length ? attempts.map(a => el("tr", { "data-outcome": a.outcome },
        el("td", {}, a.type), el("td", {}, a.attempt), el("td", {}, a.at), el("td", {}, a.status_code ?? "–"),
        el("td", {}, a.outcome), el("td", { class: "muted" }, a.error || ""))) :
        el("tr", {}, el("td", { colspan: 6, class: "muted" }, b.callback_url ? "No attempt yet." : "No callback_url.")))),
    el("h2", {}, "Details"), el("pre", {}, JSON.stringify(b, null, 2)),
  ];
}

function stat(label, value) {
  return el("div", { class: "stat", "data-testid": "stat-" + label }, el("b", {}, value), el("span", { class: "muted" }, label));
}

const lastReport = {}; // worker id -> previous report, for rates

async function systemPage() {
  const [system, models] = await Promise.all([api("/v1/system"), api("/v1/models")]);
  const queues = Object.entries(system.queues).map(([p, q]) => stat(p, q.batches + " batches"));
  const workers = system.workers.map(w => {
    const before = lastReport[w.worker_id];
    lastReport[w.worker_id] = w;
    const rate = before && w.at > before.at ? Math.round((w.items_answered - before.items_answered) / ((w.at - before.at) / 1000)) : null;
    const meanBatch = w.microbatches ? (w.microbatch_items / w.microbatches).toFixed(1) : "–";
    return el("tr", { "data-worker": w.worker_id },
      el("td", {}, w.worker_id), el("td", { class: "wide" }, (w.serves || []).join(", ")),
      el("td", {}, rate === null ? "…" : rate + " items/s"), el("td", {}, meanBatch),
      el("td", {}, Object.entries(w.lag || {}).map(([p, n]) => p + " " + n).join(" · ")),
      el("td", { class: "wide" }, w.paused_partitions), el("td", { class: "wide" }, w.inference_threads));
  });
  // A shadow version's agreement with production, for the models that run one.
  const agreement = {};
  await Promise.all(models.models.filter(m => m.versions.some(v => v.stage === "shadow")).map(m =>
    api("/v1/models/" + encodeURIComponent(m.id) + "/shadow-report").then(r => {
      for (const pair of Object.values(r).find(Array.isArray) || []) {
        agreement[m.id + "@" + pair.shadow_version] = pair;
      }
    }).catch(() => {})));
  const modelRows = models.models.flatMap(m => m.versions.map(v => {
    const shadow = agreement[m.id + "@" + v.version];
    return el("tr", { "data-model": m.id + "@" + v.version },
      el("td", {}, m.id), el("td", {}, v.version), el("td", {}, v.stage),
      el("td", {}, v.traffic === undefined ? "" : Math.round(v.traffic * 100) + " %"),
      el("td", {}, shadow ? Math.round(shadow.agreement_rate * 1000) / 10 + " % of " + shadow.items_compared : ""),
      el("td", { class: "wide muted" }, v.description || ""));
  }));
  return [el("h1", {}, "Queues & models"),
    el("h2", {}, "Unfinished batches by priority"), el("div", { class: "grid card", "data-testid": "queues" }, queues),
    el("h2", {}, "Workers"),
    el("table", { "data-testid": "workers" },
      el("thead", {}, el("tr", {}, ["worker", "serves", "rate", "mean batch", "lag", "paused", "threads"]
        .map((h, i) => el("th", { class: [1, 5, 6].includes(i) ? "wide" : "" }, h)))),
      el("tbody", {}, workers.length ? workers : el("tr", {}, el("td", { colspan: 7, class: "muted" }, "No worker is reporting.")))),
    el("h2", {}, "Models"),
    el("table", { "data-testid": "models" },
      el("thead", {}, el("tr", {}, ["model", "version", "stage", "traffic", "shadow agreement", "description"].map((h, i) =>
        el("th", { class: i === 5 ? "wide" : "" }, h)))),
      el("tbody", {}, modelRows)),
    el("div", { id: "shadow" })];
}

function loginPage() {
  const input = el("input", { type: "password", id: "api-key", placeholder: "API key", autocomplete: "off" });
  const form = el("form", { class: "login card", id: "login" },
    el("h1", {}, "Sign in"), el("p", { class: "muted" }, "Your API key, as sent in Authorization: Bearer. Kept in this tab only."),
    input, el("button", { type: "submit", id: "sign-in" }, "Sign in"));
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    sessionStorage.setItem(KEY, input.value.trim());
    try {
      await api("/v1/limits");
      showError(null);
      if (!location.hash || location.hash === "#/login") location.hash = "#/batches";
      route();
    } catch (e) {
      sessionStorage.removeItem(KEY);
      showError(e);
    }
  });
  return [form];
}

function logout() {
  sessionStorage.removeItem(KEY);
  location.hash = "#/login";
}

async function render() {
  const hash = location.hash || "#/batches";
  let parts;
  try {
    if (hash.startsWith("#/batch/")) parts = await batchPage(decodeURIComponent(hash.slice(8)));
    else if (hash === "#/system") parts = await systemPage();
    else parts = await batchesPage();
    view.replaceChildren(...parts);
    showError(null);
  } catch (e) {
    showError(e);
  }
}

function route() {
  clearInterval(timer);
  const signedIn = !!sessionStorage.getItem(KEY);
  document.getElementById("nav").hidden = !signedIn;
  if (!signedIn) {
    view.replaceChildren(...loginPage());
    return;
  }
  render();
  timer = setInterval(render, POLL_MS);
}

document.getElementById("logout").addEventListener("click", logout);
window.addEventListener("hashchange", route);
route();
