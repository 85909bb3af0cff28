// The dashboard page: one EventSource on `events` (a snapshot on opening, then each read) and a
// redraw from the newest report after every message. Quota names and everything else read from
// Redis are set as text (textContent, dataset), never as HTML. uPlot comes from uplot.js.

const COLORS = ["#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];
const CHART_HEIGHT = 200;
/** The charts show at least this much time, so that the first seconds are not stretched across. */
const MIN_SPAN_S = 60;

const state = { meta: null, samples: [], report: null, problem: null };
/** By quota name: its section's parts and its chart. */
const views = new Map();
/** Each limit's description by rule id, kept after its key expires so that its history stays labelled. */
const labels = new Map();

const byId = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

const trim = (value, digits = 2) => String(Number(value.toFixed(digits)));

/** Milliseconds in the largest unit that keeps the value >= 1: `1 s`, `90.91 ms`, `14.4 min`. */
function duration(ms) {
  const units = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["min", 60_000],
    ["s", 1000],
    ["ms", 1],
  ];
  if (ms === 0) return "0 ms";
  for (const [unit, size] of units) if (Math.abs(ms) >= size) return `${trim(ms / size)} ${unit}`;
  return `${trim(ms * 1000)} µs`;
}

const percent = (share) => `${trim(share * 100, 1)}%`;
const ago = (at, now) => `${duration(Math.max(0, now - at))} ago`;
const clock = (ms) => new Date(ms).toLocaleTimeString();

function arrivalText(arrival, now) {
  const parts = [`margin ${duration(arrival.marginMs)}`, `share ${percent(arrival.share)}`];
  if (arrival.latenessAt !== null) {
    parts.push(`lateness ${duration(arrival.latenessMs)} reported ${ago(arrival.latenessAt, now)}`);
  }
  if (arrival.changedAt === arrival.steppedBackAt)
    parts.push(`unchanged since it started ${ago(arrival.changedAt, now)}`);
  else parts.push(`changed ${ago(arrival.changedAt, now)}`);
  if (arrival.steppedBackAt > arrival.changedAt) parts.push(`stepped back ${ago(arrival.steppedBackAt, now)}`);
  return `arrival: ${parts.join(" · ")}`;
}

function eventText(event) {
  const words = [event.at === null ? "?" : clock(event.at)];
  if (event.status !== null) words.push(String(event.status));
  if (event.cause !== null) words.push(event.cause);
  const learned = [];
  if (event.marginMs !== null) learned.push(`margin ${duration(event.marginMs)}`);
  if (event.share !== null) learned.push(`share ${percent(event.share)}`);
  if (learned.length > 0) words.push(`(${learned.join(", ")})`);
  return words.join(" ");
}

function createView(name) {
  const section = el("section", { className: "quota" });
  section.dataset.quota = name;
  const pause = el("span", { className: "badge pause", hidden: true });
  pause.dataset.field = "pause";
  const arrival = el("span", { className: "arrival" });
  arrival.dataset.field = "arrival";
  section.append(el("header", {}, el("h2", { textContent: name }), pause, arrival));
  const chartBox = el("div", { className: "chart" });
  const limits = el("tbody");
  const table = el(
    "table",
    { className: "limits" },
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { textContent: "limit" }),
        el("th", { textContent: "used", title: "units spent in the window ending now" }),
        el("th", { textContent: "free", title: "units an acquire could take now" }),
        el("th", { textContent: "waiting", title: "units reserved ahead by callers sleeping until their slot" }),
      ),
    ),
    limits,
  );
  const eventsTitle = el("h3");
  const events = el("ol", { className: "events" });
  events.dataset.field = "events";
  section.append(el("div", { className: "body" }, chartBox, el("div", {}, table, eventsTitle, events)));
  const view = { section, pause, arrival, chartBox, limits, eventsTitle, events, chart: null, chartKey: null };
  views.set(name, view);
  return view;
}

function renderLimits(view, limits) {
  const rows = limits.map((limit) => {
    const row = el("tr");
    row.dataset.limit = limit.id;
    const cell = (field, text) => {
      const td = el("td", { textContent: text });
      td.dataset.field = field;
      return td;
    };
    row.append(
      cell("description", limit.description),
      cell("used", `${limit.used}/${limit.limit}`),
      cell("free", String(limit.available)),
      cell("waiting", limit.waiting === null ? "-" : String(limit.waiting)),
    );
    return row;
  });
  if (rows.length === 0) {
    rows.push(
      el(
        "tr",
        {},
        el("td", { className: "none", colSpan: 4, textContent: "no limit state (idle limits keep no key)" }),
      ),
    );
  }
  view.limits.replaceChildren(...rows);
}

function renderEvents(view, rateLimited) {
  view.eventsTitle.textContent =
    rateLimited.count === 0 ? "429s: none noted" : `429s: ${rateLimited.count} noted, newest first`;
  view.events.replaceChildren(...rateLimited.recent.map((event) => el("li", { textContent: eventText(event) })));
}

/**
 * [seconds, ...each limit's use in % of its limit] for uPlot, from the samples kept. A limit
 * missing from a sample had no key then: idle, so 0.
 */
function chartData(name, ids) {
  const xs = [];
  const ys = ids.map(() => []);
  for (const sample of state.samples) {
    xs.push(sample.t / 1000);
    const own = new Map();
    for (const [quota, id, used, limit] of sample.limits) {
      if (quota === name) own.set(id, limit > 0 ? (used / limit) * 100 : 0);
    }
    for (const [i, id] of ids.entries()) ys[i].push(own.get(id) ?? 0);
  }
  return [xs, ...ys];
}

function chartOptions(ids, width) {
  return {
    width,
    height: CHART_HEIGHT,
    scales: {
      x: { time: true, range: (_u, min, max) => [Math.min(min, max - MIN_SPAN_S), max] },
      y: { range: (_u, _min, max) => [0, Math.max(100, Math.ceil((max ?? 0) / 10) * 10)] },
    },
    axes: [{ stroke: "#667085" }, { stroke: "#667085", size: 52, values: (_u, ticks) => ticks.map((v) => `${v}%`) }],
    series: [
      {},
      ...ids.map((id, i) => ({
        label: labels.get(id) ?? id,
        stroke: COLORS[i % COLORS.length],
        width: 2,
        value: (_u, v) => (v === null || v === undefined ? "-" : `${trim(v, 1)}%`),
      })),
    ],
    cursor: { drag: { x: false, y: false } },
  };
}

function renderChart(view, name, ids) {
  const key = ids.join("\n");
  const data = chartData(name, ids);
  if (view.chart !== null && view.chartKey === key) {
    view.chart.setData(data);
    return;
  }
  view.chart?.destroy();
  view.chartKey = key;
  view.chart = new uPlot(chartOptions(ids, Math.max(300, view.chartBox.clientWidth)), data, view.chartBox);
}

function renderQuota(quota, now) {
  const view = views.get(quota.name) ?? createView(quota.name);
  view.pause.hidden = quota.pause === null;
  view.pause.textContent = quota.pause === null ? "" : `paused · ${duration(quota.pause.remainingMs)} left`;
  view.arrival.textContent = quota.arrival === null ? "" : arrivalText(quota.arrival, now);
  renderLimits(view, quota.limits);
  renderEvents(view, quota.rateLimited);
  return view;
}

function render() {
  const { meta, report, problem } = state;
  if (meta !== null) {
    byId("meta").textContent =
      `prefix ${JSON.stringify(meta.prefix)} · ${meta.target} · read every ${duration(meta.intervalMs)}`;
  }
  byId("time").textContent = report === null ? "" : `Redis time ${clock(report.redisTime)}`;
  byId("problem").hidden = problem === null;
  byId("problem").textContent = problem ?? "";
  // A quota stays while it has history: its keys expire once it is idle, its chart should not.
  const limitIds = new Map();
  const idsOf = (name) => limitIds.get(name) ?? limitIds.set(name, new Set()).get(name);
  for (const sample of state.samples) for (const [name, id] of sample.limits) idsOf(name).add(id);
  const reported = new Map();
  for (const quota of report?.quotas ?? []) {
    reported.set(quota.name, quota);
    idsOf(quota.name);
    for (const limit of quota.limits) {
      idsOf(quota.name).add(limit.id);
      labels.set(limit.id, limit.description);
    }
  }
  const names = [...limitIds.keys()].sort();
  byId("empty").hidden = report === null || names.length > 0;
  const container = byId("quotas");
  let at = 0;
  for (const name of names) {
    const quota = reported.get(name) ?? idle(name);
    const view = renderQuota(quota, report?.redisTime ?? Date.now());
    // Placed before its chart is drawn, so that the chart can take the width it is given.
    if (container.children[at] !== view.section) container.insertBefore(view.section, container.children[at] ?? null);
    at++;
    renderChart(view, name, [...idsOf(name)].sort());
  }
  for (const [name, view] of views) {
    if (limitIds.has(name)) continue;
    view.chart?.destroy();
    view.section.remove();
    views.delete(name);
  }
}

/** A quota with history but no key left. */
const idle = (name) => ({
  name,
  limits: [],
  pause: null,
  arrival: null,
  rateLimited: { count: 0, recent: [] },
});

function keepSince(samples, latest) {
  const from = latest - state.meta.historyMs;
  return samples.filter((sample) => sample.t >= from);
}

function setLive(live) {
  const badge = byId("live");
  badge.dataset.state = live ? "live" : "lost";
  badge.textContent = live ? "live" : "reconnecting…";
}

const events = new EventSource("events");
events.addEventListener("snapshot", (message) => {
  const snapshot = JSON.parse(message.data);
  state.meta = snapshot.meta;
  state.samples = snapshot.samples;
  state.report = snapshot.report;
  state.problem = snapshot.problem;
  setLive(true);
  render();
});
events.addEventListener("report", (message) => {
  const { report, sample } = JSON.parse(message.data);
  state.samples = keepSince([...state.samples, sample], sample.t);
  state.report = report;
  state.problem = null;
  setLive(true);
  render();
});
events.addEventListener("problem", (message) => {
  state.problem = JSON.parse(message.data).message;
  render();
});
events.addEventListener("error", () => setLive(false));

window.addEventListener("resize", () => {
  for (const view of views.values())
    view.chart?.setSize({ width: Math.max(300, view.chartBox.clientWidth), height: CHART_HEIGHT });
});
