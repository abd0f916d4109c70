// TransitWatch web page: polls the daemon's /api every 2 s and renders the loss matrix, incidents,
// observers and alerts. Plain DOM, no libraries; text is always set through textContent.
"use strict";

const REFRESH_MS = 2000;
const FAMILIES = ["IPv4", "IPv6"];
const MAX_ALERTS = 25;
const MAX_ROUND_TRIP_ROWS = 40;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) {
      node.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child !== undefined && child !== null) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

function number(value) {
  return Number(value).toLocaleString("en-US");
}

function percent(ratio) {
  if (ratio <= 0) return "0%";
  if (ratio < 0.001) return "<0.1%";
  if (ratio < 0.1) return (ratio * 100).toFixed(1) + "%";
  return Math.round(ratio * 100) + "%";
}

function ago(iso) {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 60) return seconds + " s ago";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min " + (seconds % 60) + " s ago";
  return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min ago";
}

function hostPort(ip, port) {
  return (ip.includes(":") ? "[" + ip + "]" : ip) + (port ? ":" + port : "");
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

// ---------------------------------------------------------------- status and totals

function coverageText(coverage) {
  return coverage.ratio === null ? "–" : coverage.ratio >= 1 ? "100%"
    : (Math.floor(coverage.ratio * 1000) / 10).toFixed(1) + "%";
}

// One word for the whole picture: "full" (every node watched, every cell can be told), "partial"
// (something cannot be told) or "blind" (no node watched at all).
function watchLevel(coverage, unknownCells) {
  if (coverage.nodes_known === 0 || coverage.nodes_watched === 0) return "blind";
  if (coverage.not_watched.length > 0 || coverage.incomplete_recently.length > 0 || unknownCells > 0) return "partial";
  return "full";
}

function renderStatus(status, incidentCount) {
  const box = document.getElementById("status");
  const partial = status.coverage.not_watched.length > 0 || status.coverage.nodes_known === 0;
  // Ready (a stream is up) is what Kubernetes needs; the dot is green only when every node is watched.
  box.dataset.state = !status.ready ? "not-ready" : partial ? "partial" : "ready";
  box.title = status.reason;
  document.getElementById("status-text").textContent = status.ready ? "Ready · " + status.reason.replace(/^ready: /, "")
    : status.reason.replace(/^not ready: /, "Not ready: ");
  const join = status.join;
  const set = (id, text, nonzero) => {
    const value = document.getElementById(id);
    value.textContent = text;
    if (nonzero !== undefined) value.parentElement.dataset.nonzero = String(nonzero);
  };
  set("t-flows", number(join.flows));
  set("t-departures", number(join.departures));
  set("t-matched", number(join.matched));
  set("t-lost", number(join.lost), join.lost > 0);
  set("t-unverified", number(join.unverified));
  set("t-pending", number(join.pending) + " / " + number(join.pending_capacity));
  set("t-incidents", number(incidentCount), incidentCount > 0);
  const coverage = status.coverage;
  const windowSeconds = Math.round(coverage.window_seconds || 0);
  const nodesText = number(coverage.nodes_watched) + " of " + number(coverage.nodes_known) + " nodes watched";
  if (coverage.nodes_known === 0 || coverage.nodes_watched === 0) {
    // Blind now: a share of what was judged before would read like health.
    set("t-coverage", "blind");
    document.getElementById("t-nodes").textContent = nodesText + (coverage.ratio === null ? ""
      : "; " + coverageText(coverage) + " judged in the last " + windowSeconds + " s");
  } else {
    set("t-coverage", coverageText(coverage));
    document.getElementById("t-nodes").textContent = nodesText;
  }
  document.getElementById("t-coverage").parentElement.title = "Share of the departures decided in the last "
    + windowSeconds + " s that could be judged (matched or lost): " + number(coverage.judged) + " judged, "
    + number(coverage.unverified) + " unverified (an observer was not watching), "
    + number(coverage.waiting_on_unwatched) + " waiting on a node not watched now"
    + (coverage.ratio === null ? "; none decided yet" : "");
}

// ---------------------------------------------------------------- the matrix

function lossColour(ratio) {
  // Even a small loss must stand out from green and grey: start at a clear pink, end at deep red.
  const lightness = 74 - 36 * Math.sqrt(Math.min(1, ratio));
  return { colour: "hsl(4, 76%, " + lightness.toFixed(1) + "%)", light: lightness > 60 };
}

function describe(pair, source, destination, family, windowSeconds, unknownReason) {
  const head = source + " → " + destination + " " + family;
  const unknown = unknownReason ? "\ncannot tell: " + unknownReason : "";
  if (!pair) return head + ": no departures seen" + unknown;
  const r = pair.recent;
  const t = pair.total;
  const recent = "last " + Math.round(windowSeconds) + " s: " + number(r.departures) + " departures, "
    + number(r.matched) + " matched, " + number(r.lost) + " lost (" + percent(pair.loss_ratio) + "), "
    + (r.late > 0 ? number(r.late) + " of the lost arrived late, " : "")
    + number(r.unverified) + " unverified, " + number(r.dropped) + " dropped at destination";
  const total = "since start: " + number(t.departures) + " departures, " + number(t.matched) + " matched, "
    + number(t.lost) + " lost, " + number(t.unverified) + " unverified";
  return head + unknown + "\n" + recent + "\n" + total;
}

// A pair the daemon has no counts for sent nothing yet: idle if both its nodes are watched over the
// whole window, else unknown (a source not watched may have sent what we never saw).
function missingPairUnknown(source, destination, watch) {
  const d = watch.get(destination);
  if (d && !d.complete) return "destination " + destination + " not watched: " + d.reason;
  const s = watch.get(source);
  if (s && !s.complete) return "source " + source + " not watched: " + s.reason;
  return null;
}

function half(pair, source, destination, family, windowSeconds, watch) {
  const unknownReason = pair ? pair.unknown_reason : missingPairUnknown(source, destination, watch);
  const state = pair ? pair.state : unknownReason ? "unknown" : "idle";
  const ratio = pair ? pair.loss_ratio : 0;
  const title = describe(pair, source, destination, family, windowSeconds, unknownReason);
  const value = state === "loss" ? percent(ratio) : state === "ok" ? "0%" : state === "unknown" ? "?" : "–";
  const node = el("div", {
    class: "half", tabindex: 0, role: "img",
    "data-source": source, "data-destination": destination, "data-family": family,
    "data-state": state, "data-loss-ratio": ratio.toFixed(4),
    title: title, "aria-label": title.replace(/\n/g, "; "),
  }, el("span", { class: "fam" }, family === "IPv4" ? "v4" : "v6"), el("span", { class: "val" }, value));
  if (state === "loss") {
    const { colour, light } = lossColour(ratio);
    node.style.backgroundColor = colour;
    node.dataset.light = String(light);
  }
  return node;
}

function watchMap(matrix) {
  return new Map(matrix.node_watch.map((w) => [w.node, w]));
}

// Every cell state, including the pairs without counts, for the findings and the legend.
function cellStates(matrix) {
  const pairs = new Map(matrix.pairs.map((p) => [p.source_node + "|" + p.destination_node + "|" + p.family, p]));
  const watch = watchMap(matrix);
  const counts = { loss: 0, ok: 0, idle: 0, unknown: 0 };
  for (const source of matrix.nodes) {
    for (const destination of matrix.nodes) {
      if (source === destination) continue;
      for (const family of FAMILIES) {
        const pair = pairs.get(source + "|" + destination + "|" + family);
        const state = pair ? pair.state : missingPairUnknown(source, destination, watch) ? "unknown" : "idle";
        counts[state] += 1;
      }
    }
  }
  return counts;
}

function renderMatrix(matrix) {
  const table = document.getElementById("matrix");
  const pairs = new Map(matrix.pairs.map((p) => [p.source_node + "|" + p.destination_node + "|" + p.family, p]));
  const watch = watchMap(matrix);
  const nodes = matrix.nodes;
  const windowSeconds = matrix.window_seconds || matrix.window_max_seconds;
  document.getElementById("matrix-hint").textContent = "Rows: source node. Columns: destination node. "
    + "Each cell: IPv4 | IPv6, loss ratio over the last " + Math.round(windowSeconds) + " s. Hover for counts.";

  const headRow = el("tr", {}, el("th", { scope: "col", class: "corner" }, "source ↓ · destination →"));
  const nodeHead = (node, scope) => {
    const w = watch.get(node);
    const complete = !w || w.complete;
    return el("th", { scope: scope, "data-node": node, "data-watch": w ? w.state : "unknown",
      "data-complete": String(complete), title: complete ? node + ": watched" : node + ": not watched: " + w.reason },
      node, complete ? null : el("span", { class: "unwatched-mark" }, w.watched ? " (incomplete)" : " (not watched)"));
  };
  for (const destination of nodes) headRow.append(nodeHead(destination, "col"));
  const body = el("tbody");
  if (nodes.length === 0) {
    body.append(el("tr", {}, el("td", { class: "empty" }, "Waiting for the first flows…")));
  }
  for (const source of nodes) {
    const row = el("tr", {}, nodeHead(source, "row"));
    for (const destination of nodes) {
      if (source === destination) {
        row.append(el("td", {}, el("div", { class: "self", title: "same node: not joined" },
          el("span", { class: "visually-hidden" }, "same node"))));
        continue;
      }
      const cell = el("div", { class: "cell" });
      for (const family of FAMILIES) {
        const pair = pairs.get(source + "|" + destination + "|" + family);
        cell.append(half(pair, source, destination, family, windowSeconds, watch));
      }
      row.append(el("td", {}, cell));
    }
    body.append(row);
  }
  table.tHead.replaceChildren(headRow);
  table.tBodies[0].replaceWith(body);
}

// ---------------------------------------------------------------- lists

function fillRows(tableId, rows, columns, emptyText, emptyClass) {
  const body = el("tbody");
  if (rows.length === 0) {
    body.append(el("tr", {}, el("td", { class: emptyClass || "none", colspan: columns }, emptyText)));
  }
  for (const row of rows) body.append(row);
  document.getElementById(tableId).tBodies[0].replaceWith(body);
}

function badge(text, kind) {
  return el("span", { class: "badge badge-" + kind }, text);
}

function notWatchedText(coverage) {
  if (coverage.nodes_known === 0) return "no node known yet";
  const names = coverage.not_watched.map((n) => n.node);
  const shown = names.slice(0, 6).join(", ") + (names.length > 6 ? " and " + (names.length - 6) + " more" : "");
  return number(names.length) + " of " + number(coverage.nodes_known) + " nodes (" + shown + ")";
}

function renderIncidents(incidents, pairs, windowSeconds, coverage) {
  const note = document.getElementById("incidents-note");
  const blind = coverage.nodes_known === 0 || coverage.not_watched.length > 0;
  note.hidden = !blind;
  note.title = coverage.not_watched.map((n) => n.node + ": " + n.reason).join("\n");
  note.textContent = blind ? "Not watching " + notWatchedText(coverage)
    + ": loss to or from them cannot be seen, so it cannot appear here." : "";
  fillRows("incidents", incidents.map((incident) => {
    const top = incident.top_workloads[0];
    const now = pairs.get(incident.source_node + "|" + incident.destination_node + "|" + incident.family);
    const decided = now ? now.recent.lost + now.recent.matched : 0;
    return el("tr", { "data-source": incident.source_node, "data-destination": incident.destination_node,
      "data-family": incident.family },
      el("td", {}, badge(incident.state, incident.state.toLowerCase())),
      el("td", { class: "mono" }, incident.source_node + " → " + incident.destination_node),
      el("td", {}, incident.family),
      el("td", { class: "num", title: "announced " + incident.time },
        number(incident.lost) + " · " + number(incident.matched),
        el("span", { class: "sub" }, "as of " + ago(incident.time))),
      el("td", { class: "num" }, now && decided > 0 ? percent(now.loss_ratio) : "–",
        el("span", { class: "sub" }, now ? number(now.recent.lost) + " of " + number(decided)
          + " in " + Math.round(windowSeconds) + " s" : "")),
      el("td", { title: incident.first_seen }, ago(incident.first_seen)),
      el("td", { class: "workloads" }, top ? [top.source, el("span", { class: "sub" }, "→ " + top.destination
        + " (" + number(top.lost) + " lost)")] : "–"));
  }), 7, blind ? "No open incidents among what is watched (see above): this does not mean nothing was lost."
    : "No open incidents: every judged departure arrived.", blind ? "none-blind" : "none");
}

function renderFindings(matrix) {
  const list = el("ul", { id: "findings" });
  const windowSeconds = Math.round(matrix.window_seconds || matrix.window_max_seconds);
  const coverage = matrix.coverage;
  const states = cellStates(matrix);
  const level = watchLevel(coverage, states.unknown);
  document.getElementById("t-coverage").parentElement.dataset.watch = level;
  if (coverage.nodes_known === 0) {
    list.append(el("li", { class: "finding-blind", "data-watch": "blind" },
      el("div", { class: "finding-head" }, "Not watching anything yet"),
      el("div", {}, "No Hubble stream has named a node: no departure can be seen, so no loss either.")));
  } else if (coverage.not_watched.length > 0) {
    list.append(el("li", { class: "finding-blind", "data-watch": level },
      el("div", { class: "finding-head" }, "Not watching " + number(coverage.not_watched.length) + " of "
        + number(coverage.nodes_known) + " nodes"),
      el("div", {}, level === "blind" ? "No node is watched: loss anywhere would not show."
        : "Loss to (or unseen traffic from) these nodes would not show:"),
      el("ul", { class: "reasons" }, coverage.not_watched.map((n) => el("li", { "data-node": n.node },
        el("span", { class: "mono" }, n.node), " — " + n.reason)))));
  }
  if (coverage.incomplete_recently.length > 0) {
    list.append(el("li", { class: "finding-unknown" },
      el("div", { class: "finding-head" }, "Incomplete view in the last " + windowSeconds + " s"),
      el("ul", { class: "reasons" }, coverage.incomplete_recently.map((n) => el("li", { "data-node": n.node },
        el("span", { class: "mono" }, n.node), " — " + n.reason))),
      el("div", { class: "sub" }, "Cells to these nodes show ? until the window has passed.")));
  }
  const byKey = new Map(matrix.pairs.map((p) => [p.source_node + "|" + p.destination_node + "|" + p.family, p]));
  const losing = matrix.pairs.filter((p) => p.state === "loss")
    .sort((a, b) => b.recent.lost - a.recent.lost || b.loss_ratio - a.loss_ratio);
  for (const pair of losing) {
    const sent = pair.recent.lost + pair.recent.matched;
    const other = byKey.get(pair.source_node + "|" + pair.destination_node + "|"
      + (pair.family === "IPv4" ? "IPv6" : "IPv4"));
    const otherSent = other ? other.recent.lost + other.recent.matched : 0;
    const otherText = other && otherSent > 0
      ? (pair.family === "IPv4" ? "IPv6" : "IPv4") + " on the same pair: " + number(other.recent.lost) + " of "
        + number(otherSent) + " lost"
      : "no " + (pair.family === "IPv4" ? "IPv6" : "IPv4") + " traffic on the same pair";
    list.append(el("li", { class: "finding-loss", "data-source": pair.source_node,
      "data-destination": pair.destination_node, "data-family": pair.family },
      el("div", { class: "finding-head" }, el("span", { class: "mono" }, pair.source_node + " → " + pair.destination_node),
        " ", el("span", { class: "fam-tag" }, pair.family), " ", badge(percent(pair.loss_ratio) + " lost", "lost")),
      el("div", {}, number(sent) + " sent, " + number(pair.recent.matched) + " arrived in the last " + windowSeconds + " s"),
      el("div", { class: "sub" }, otherText)));
  }
  if (losing.length === 0 && level === "full") {
    list.append(el("li", { class: "finding-ok" }, "No loss in the last " + windowSeconds + " s: "
      + states.ok + " pair/family combinations matched; coverage " + coverageText(coverage) + "."));
  } else if (losing.length === 0 && coverage.nodes_known > 0) {
    list.append(el("li", { class: "finding-unknown" }, "No loss seen where it could be judged ("
      + states.ok + " pair/family combinations matched), but " + states.unknown
      + " cannot be told (?): absence of loss there means nothing."));
  }
  const idle = states.idle;
  if (idle > 0) {
    list.append(el("li", { class: "finding-idle" }, idle + " pair/family combinations without traffic (grey): "
      + "nothing to judge there."));
  }
  document.getElementById("findings").replaceWith(list);
}

// Round trips to the API server, hosts and the world (DESIGN §3.7): one row per client node,
// destination and family, with the same "cannot tell" as the matrix for a client node not watched.
function renderRoundTrips(roundTrips, coverage) {
  const windowSeconds = Math.round(roundTrips.window_seconds || roundTrips.window_max_seconds);
  document.getElementById("round-trips-hint").textContent = "Connection attempts to destinations that report no "
    + "arrival (API server, a node's host, the world), judged on the client's own node over the last "
    + windowSeconds + " s: answered, no reply, refused.";
  const note = document.getElementById("round-trips-note");
  const blind = coverage.nodes_known === 0 || coverage.not_watched.length > 0;
  note.hidden = !blind;
  note.title = coverage.not_watched.map((n) => n.node + ": " + n.reason).join("\n");
  note.textContent = blind ? "Not watching " + notWatchedText(coverage)
    + ": their clients' round trips cannot be judged, so they cannot appear here." : "";
  const words = { no_reply: "no reply", refused: "refused", ok: "answered", idle: "idle", unknown: "?" };
  const kinds = { no_reply: "lost", refused: "dropped", ok: "up", idle: "other", unknown: "partial" };
  const order = { no_reply: 0, refused: 1, unknown: 2, ok: 3, idle: 4 };
  const rows = roundTrips.round_trips.slice().sort((a, b) => order[a.state] - order[b.state]
    || a.source_node.localeCompare(b.source_node) || a.destination.localeCompare(b.destination)
    || a.family.localeCompare(b.family));
  // A big cluster has a row per client node, destination and family: failures and "cannot tell" always
  // show, answered and idle rows up to a page; the API has them all.
  const shown = rows.filter((row, i) => row.state === "no_reply" || row.state === "refused"
    || row.state === "unknown" || i < MAX_ROUND_TRIP_ROWS);
  const hidden = rows.length - shown.length;
  const rendered = shown.map((row) => {
    const r = row.recent;
    const t = row.total;
    const title = row.source_node + " → " + row.destination + " " + row.family
      + (row.unknown_reason ? "\ncannot tell: " + row.unknown_reason : "")
      + "\nlast " + windowSeconds + " s: " + number(r.answered) + " answered, " + number(r.no_reply) + " no reply, "
      + number(r.refused) + " refused, " + number(r.unverified) + " unverified";
    const state = el("td", { title: title }, badge(words[row.state] || row.state, kinds[row.state] || "other"));
    if (row.unknown_reason) state.append(el("span", { class: "warn-text" }, row.unknown_reason));
    return el("tr", { "data-source": row.source_node, "data-destination": row.destination,
      "data-destination-kind": row.destination_kind, "data-family": row.family, "data-state": row.state },
      state,
      el("td", { class: "mono" }, row.source_node + " → " + row.destination),
      el("td", {}, row.family),
      el("td", { class: "num" }, number(r.answered)),
      el("td", { class: "num", "data-count": "no_reply" }, number(r.no_reply)),
      el("td", { class: "num", "data-count": "refused" }, number(r.refused)),
      el("td", { class: "num" }, number(r.unverified)),
      el("td", { class: "num", title: "since start: answered · no reply · refused · unverified" },
        number(t.answered) + " · " + number(t.no_reply) + " · " + number(t.refused) + " · " + number(t.unverified)));
  });
  if (hidden > 0) {
    rendered.push(el("tr", {}, el("td", { class: "none", colspan: 8 }, number(hidden)
      + " more rows answered or idle: see /api/round-trips")));
  }
  fillRows("round-trips", rendered, 8, blind ? "No round trips among what is watched (see above): this does not mean every attempt was answered."
    : "No connection attempts to the API server, hosts or the world seen yet.", blind ? "none-blind" : "none");
}

function renderObservers(observers) {
  fillRows("observers", observers.map((o) => {
    const offset = o.clock_offset_seconds === null ? "–" : (o.clock_offset_seconds * 1000).toFixed(1) + " ms";
    const lateness = (o.lateness_seconds === null ? "" : "late ≤ " + (o.lateness_seconds * 1000).toFixed(0) + " ms")
      + (o.extra_wait_seconds > 0 ? "; departures to it wait " + (o.extra_wait_seconds * 1000).toFixed(0)
        + " ms longer than the window (its peers' transits)" : "");
    const words = { watched: "up", catching_up: "catching up", not_delivered: "waiting", down: "down" };
    const kinds = { watched: "up", catching_up: "partial", not_delivered: "partial", down: "down" };
    const stream = el("td", { "data-watch": o.watch_state },
      badge(words[o.watch_state] || o.watch_state, kinds[o.watch_state] || "other"));
    const why = o.watch_reason || o.last_error;
    if (why) stream.append(el("span", { class: o.watched ? "warn-text" : "err", title: why }, why));
    return el("tr", {},
      el("td", { class: "mono" }, o.node),
      stream,
      el("td", { class: "num", title: o.node === "relay" ? "flows are counted per node" : null },
        o.node === "relay" ? "–" : number(o.flows)),
      el("td", { class: "num" }, number(o.reconnects)),
      el("td", { class: "num" }, number(o.gaps)),
      el("td", { class: "num" }, number(o.lost_events)),
      el("td", { class: "num", title: lateness }, offset),
      el("td", { title: o.request_profile === "FULL" ? "filters and field mask" : "fell back: " + o.request_profile },
        o.request_profile === "FULL" ? "full" : o.request_profile.toLowerCase().replace(/_/g, " ")));
  }), 8, "No Hubble source known yet.");
}

function endpoint(end, name) {
  // A round trip's destination has no pod: it is named kube-apiserver, a node, host or world.
  const who = end.pod ? (end.namespace ? end.namespace + "/" : "") + end.pod : name || "(unknown pod)";
  return el("td", {}, el("span", { class: "mono" }, who),
    el("span", { class: "sub" }, end.node + " · " + hostPort(end.ip, end.port)));
}

function verdictBadge(verdict) {
  const kinds = { LOST_IN_TRANSIT: "lost", DROPPED_AT_DESTINATION: "dropped", LATE: "late", NO_REPLY: "lost",
    REFUSED: "dropped" };
  return badge(verdict.replace(/_/g, " ").toLowerCase(), kinds[verdict] || "other");
}

function renderAlerts(alerts) {
  fillRows("alerts", alerts.slice(0, MAX_ALERTS).map((alert) => el("tr", {},
    el("td", { class: "mono", title: alert.time }, alert.time.substring(11, 19)),
    el("td", {}, verdictBadge(alert.verdict)),
    el("td", {}, alert.family),
    el("td", {}, alert.protocol + " " + alert.kind),
    endpoint(alert.source),
    endpoint(alert.destination, alert.destination_name),
    el("td", { class: "num" }, number(alert.attempts)))), 7, "No alerts yet.");
}

// ---------------------------------------------------------------- the loop

async function refresh() {
  try {
    const [status, matrix, incidents, observers, alerts, roundTrips] = await Promise.all([
      getJson("api/status"), getJson("api/matrix"), getJson("api/incidents"),
      getJson("api/observers"), getJson("api/alerts"), getJson("api/round-trips")]);
    renderStatus(status, incidents.incidents.length);
    renderMatrix(matrix);
    renderFindings(matrix);
    const pairs = new Map(matrix.pairs.map((p) => [p.source_node + "|" + p.destination_node + "|" + p.family, p]));
    renderIncidents(incidents.incidents, pairs, matrix.window_seconds || matrix.window_max_seconds, status.coverage);
    renderRoundTrips(roundTrips, status.coverage);
    renderObservers(observers.observers);
    renderAlerts(alerts.alerts);
    document.getElementById("updated").textContent = "Updated " + new Date().toLocaleTimeString("en-GB");
    document.body.dataset.loaded = "true";
  } catch (error) {
    const box = document.getElementById("status");
    box.dataset.state = "unreachable";
    document.getElementById("status-text").textContent = "Daemon unreachable: " + error.message;
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

document.addEventListener("DOMContentLoaded", refresh);
