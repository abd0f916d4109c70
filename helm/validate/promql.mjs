// Checks every PromQL expression of a rendered chart, offline: the alert rules of PrometheusRule
// documents and the queries of Grafana dashboards in ConfigMaps (any data key ending in .json).
//
//   helm template tw helm/transitwatch --set prometheusRule.enabled=true,grafanaDashboard.enabled=true \
//     | node helm/validate/promql.mjs [--json]
//
// Each expression is parsed with Prometheus's own PromQL grammar (@prometheus-io/lezer-promql, the
// parser of the Prometheus web UI): a syntax error, an unknown function, or a range function (rate,
// increase, *_over_time, ...) given an instant vector fails it. Grafana's interval variables
// ($__rate_interval, $__interval, $__range) are replaced by 5m before parsing; any other `$variable`
// fails, because the dashboard is meant to need none besides its data source.
//
// Prints one line per expression, `ok   <where> metrics=a,b` or `FAIL <where>: <why>`, and exits 1 if
// one failed or none was found. With --json, prints instead one JSON array of
// {where, expr, errors: [..], metrics: [..]}: the metric names each expression selects, which
// HelmChartIT compares with what the daemon exports.
import { parseAllDocuments } from "yaml";
import { readFileSync } from "node:fs";
import { parser } from "@prometheus-io/lezer-promql";

const RANGE_FUNCTIONS = new Set([
  "rate", "irate", "increase", "delta", "idelta", "deriv", "changes", "resets", "predict_linear",
  "holt_winters", "double_exponential_smoothing", "absent_over_time", "present_over_time",
  "avg_over_time", "min_over_time", "max_over_time", "sum_over_time", "count_over_time",
  "quantile_over_time", "stddev_over_time", "stdvar_over_time", "last_over_time", "mad_over_time",
]);
const GRAFANA_INTERVALS = /\$__(rate_interval|interval|range)\b|\$\{__(rate_interval|interval|range)\}/g;

export function check(expr) {
  const errors = [];
  const metrics = new Set();
  const text = expr.replace(GRAFANA_INTERVALS, "5m");
  const variable = text.match(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/);
  if (variable) errors.push(`uses the variable ${variable[0]}, which the dashboard does not define`);
  const tree = parser.parse(text);
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        errors.push(`syntax error at column ${node.from + 1}: …${text.slice(Math.max(0, node.from - 15), node.from + 15)}…`);
      } else if (node.name === "VectorSelector") {
        const name = node.node.getChild("Identifier");
        if (name) metrics.add(text.slice(name.from, name.to));
      } else if (node.name === "FunctionCall") {
        const identifier = node.node.getChild("FunctionIdentifier");
        const fn = identifier ? text.slice(identifier.from, identifier.to) : "";
        const body = node.node.getChild("FunctionCallBody");
        if (RANGE_FUNCTIONS.has(fn) && body) {
          const args = [];
          for (let child = body.firstChild; child; child = child.nextSibling) {
            if (!["(", ")", ","].includes(child.name)) args.push(child.name);
          }
          const range = args.find((a) => a === "MatrixSelector" || a === "SubqueryExpr");
          if (!range) errors.push(`${fn}() needs a range vector (a selector with [duration]), got ${args.join(", ") || "nothing"}`);
        }
      }
    },
  });
  return { errors: [...new Set(errors)], metrics: [...metrics].sort() };
}

function expressions(text) {
  const found = [];
  for (const parsed of parseAllDocuments(text)) {
    const doc = parsed.toJS();
    if (!doc) continue;
    const name = doc.metadata?.name;
    if (doc.kind === "PrometheusRule") {
      for (const group of doc.spec?.groups ?? []) {
        for (const rule of group.rules ?? []) {
          found.push({ where: `PrometheusRule ${name} ${group.name}/${rule.alert ?? rule.record}`, expr: String(rule.expr) });
        }
      }
    } else if (doc.kind === "ConfigMap") {
      for (const [key, value] of Object.entries(doc.data ?? {})) {
        if (!key.endsWith(".json")) continue;
        const dashboard = JSON.parse(value);
        const panels = (list) => list.flatMap((p) => [p, ...panels(p.panels ?? [])]);
        for (const panel of panels(dashboard.panels ?? [])) {
          for (const target of panel.targets ?? []) {
            if (target.expr) found.push({ where: `dashboard ${key} panel "${panel.title}" ${target.refId}`, expr: target.expr });
          }
        }
        for (const variable of dashboard.templating?.list ?? []) {
          if (variable.type === "query") {
            const query = typeof variable.query === "string" ? variable.query : variable.query?.query;
            if (query) found.push({ where: `dashboard ${key} variable ${variable.name}`, expr: query });
          }
        }
      }
    }
  }
  return found;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop())) {
  const json = process.argv.includes("--json");
  const results = expressions(readFileSync(0, "utf8")).map((e) => ({ ...e, ...check(e.expr) }));
  if (json) {
    console.log(JSON.stringify(results, null, 1));
  } else {
    for (const r of results) {
      console.log(r.errors.length ? `FAIL ${r.where}: ${r.errors.join("; ")}` : `ok   ${r.where} metrics=${r.metrics.join(",")}`);
    }
    console.log(`${results.length} expression(s), ${results.filter((r) => r.errors.length).length} failed`);
  }
  process.exit(results.length === 0 || results.some((r) => r.errors.length) ? 1 : 0);
}
