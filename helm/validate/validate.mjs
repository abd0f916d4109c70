// Validates every document of a rendered chart, offline.
//
//   helm template tw helm/transitwatch | node helm/validate/validate.mjs
//   node helm/validate/validate.mjs rendered.yaml [more.yaml ...]
//
// Built-in kinds are checked against the Kubernetes OpenAPI schemas shipped in kubernetes-models@5.1.0
// (ajv underneath): wrong types, missing required fields, bad enums. Those schemas accept unknown fields,
// so a misspelt field passes here; the Java tests (HelmChartIT) check the fields that matter.
//
// CRDs are not in kubernetes-models. ServiceMonitor, PrometheusRule, CiliumNetworkPolicy and Strimzi's KafkaTopic are checked against the small
// hand-written schemas in crd-schemas/ (subsets of the upstream CRDs that reject unknown fields), and the
// output says so. Any other kind is a failure, not a skip: the chart renders nothing else.
//
// Prints one line per document (`ok`, `ok*` for own CRD schema, or `FAIL` with the reason) and a summary;
// exits 1 if a document failed or nothing was given.
import { parseAllDocuments } from "yaml";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import Ajv from "ajv";

const here = dirname(fileURLToPath(import.meta.url));
const OWN_CRD_SCHEMAS = {
  "monitoring.coreos.com/v1/ServiceMonitor": "monitoring.coreos.com_v1_ServiceMonitor.json",
  "monitoring.coreos.com/v1/PrometheusRule": "monitoring.coreos.com_v1_PrometheusRule.json",
  "cilium.io/v2/CiliumNetworkPolicy": "cilium.io_v2_CiliumNetworkPolicy.json",
  "kafka.strimzi.io/v1beta2/KafkaTopic": "kafka.strimzi.io_KafkaTopic.json",
  "kafka.strimzi.io/v1/KafkaTopic": "kafka.strimzi.io_KafkaTopic.json",
};
const ajv = new Ajv({ allErrors: true, strict: false });

const inputs = process.argv.slice(2);
const texts = inputs.length ? inputs.map((file) => readFileSync(file, "utf8")) : [readFileSync(0, "utf8")];

let ok = 0, failed = 0, ownSchema = 0;
const fail = (what, why) => { failed++; console.log(`FAIL ${what}: ${why}`); };

for (const text of texts) {
  for (const parsed of parseAllDocuments(text)) {
    if (parsed.errors.length) { fail("YAML", parsed.errors[0].message.split("\n")[0]); continue; }
    const doc = parsed.toJS();
    if (doc == null) continue; // an empty document between two `---`
    const what = `${doc.apiVersion} ${doc.kind} ${doc.metadata?.name}`;
    if (typeof doc.apiVersion !== "string" || typeof doc.kind !== "string") { fail(what, "no apiVersion or kind"); continue; }
    if (!doc.metadata?.name) { fail(what, "metadata.name is missing"); continue; }

    const crd = OWN_CRD_SCHEMAS[`${doc.apiVersion}/${doc.kind}`];
    if (crd) {
      const check = ajv.getSchema(crd) ?? (ajv.addSchema(JSON.parse(readFileSync(join(here, "crd-schemas", crd), "utf8")), crd), ajv.getSchema(crd));
      if (check(doc)) { ok++; ownSchema++; console.log(`ok*  ${what} (CRD: checked against our own subset schema crd-schemas/${crd}, not the upstream CRD)`); }
      else fail(what, ajv.errorsText(check.errors, { dataVar: "" }));
      continue;
    }

    const [group, version] = doc.apiVersion.includes("/") ? doc.apiVersion.split("/") : [null, doc.apiVersion];
    let model;
    try {
      const mod = await import(`kubernetes-models/${group ? group + "/" : ""}${version}/${doc.kind}`);
      model = mod.default ?? mod[doc.kind];
    } catch {
      fail(what, "not a kind kubernetes-models@5.1.0 knows, and no schema of ours in crd-schemas/ either");
      continue;
    }
    try {
      new model(doc).validate();
      ok++;
      console.log(`ok   ${what}`);
    } catch (e) {
      fail(what, e.message.split("\n")[0]);
    }
  }
}

console.log(`${ok + failed} document(s): ${ok} ok (${ownSchema} against our own CRD subset schemas), ${failed} failed`);
process.exit(failed || ok === 0 ? 1 : 0);
