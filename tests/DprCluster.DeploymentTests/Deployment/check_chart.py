"""Structural checks of a Helm chart where no helm binary exists to render it.

Usage: /usr/bin/python3 check_chart.py <chart directory>

Checks: Chart.yaml and values.yaml parse; every .Values path a template uses exists in values.yaml; every leaf of
values.yaml is documented in README.md; template actions balance (if/range/with/define against end); and each
manifest, with its template actions blanked out, parses as YAML into Kubernetes objects whose kind-specific essentials
are present (probes on /healthz and /readyz, volume claims, headless service, GPU requests behind a value...).
Prints one line per problem and exits 1 when there is any.
"""
import os
import re
import sys

import yaml

ACTION = re.compile(r"\{\{-?\s*(.*?)\s*-?\}\}", re.S)
VALUES_PATH = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
BLOCK_OPEN = re.compile(r"^(if|range|with|define)\b")


IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def leaves(node, prefix=""):
    """Value paths; a map keyed by non-identifiers (node labels such as nvidia.com/gpu.present) is one value."""
    if isinstance(node, dict) and node and all(IDENTIFIER.match(str(key)) for key in node):
        for key, value in node.items():
            yield from leaves(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix


def has_path(values, path):
    node = values
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def blank_actions(text):
    """Drops lines that hold only template actions and replaces inline actions by a scalar placeholder."""
    kept = []
    for line in text.splitlines():
        stripped = ACTION.sub("", line).strip()
        if "{{" in line and stripped == "":
            continue
        kept.append(ACTION.sub("TEMPLATED", line))
    return "\n".join(kept)


def containers(spec):
    return (spec or {}).get("template", {}).get("spec", {}).get("containers", []) or []


def define_body(helpers, name):
    match = re.search(r'\{\{-? define "' + re.escape(name) + r'" -?\}\}(.*?)\{\{-? end -?\}\}\s*$', helpers, re.S | re.M)
    return match.group(1) if match else None


def check_probes(name, kind, text, spec, container_helper, problems):
    """Probes come from the shared container helper, which each workload template must include."""
    if 'include "dprcluster.container"' not in text:
        problems.append(f"{name}: {kind} does not include the dprcluster.container helper (ports and probes)")
    for container in containers(spec):
        merged = dict(container_helper or {}, **container)
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
            got = ((merged.get(probe) or {}).get("httpGet") or {}).get("path")
            if got != path:
                problems.append(f"{name}: {kind} container {container.get('name')} {probe} path is {got!r}, want {path}")


def main(chart):
    problems = []
    with open(os.path.join(chart, "Chart.yaml")) as f:
        meta = yaml.safe_load(f)
    for key in ("apiVersion", "name", "version", "appVersion"):
        if key not in meta:
            problems.append(f"Chart.yaml: missing {key}")
    if meta.get("apiVersion") != "v2":
        problems.append("Chart.yaml: apiVersion must be v2")
    with open(os.path.join(chart, "values.yaml")) as f:
        values = yaml.safe_load(f)
    with open(os.path.join(chart, "README.md")) as f:
        readme = f.read()
    for leaf in leaves(values):
        if f"`{leaf}`" not in readme:
            problems.append(f"README.md: value `{leaf}` is not documented")

    kinds = {}
    texts = {}
    templates = os.path.join(chart, "templates")
    with open(os.path.join(templates, "_helpers.tpl")) as f:
        body = define_body(f.read(), "dprcluster.container")
    container_helper = yaml.safe_load(blank_actions(body)) if body else None
    if container_helper is None:
        problems.append("_helpers.tpl: no dprcluster.container helper")
    for file in sorted(os.listdir(templates)):
        path = os.path.join(templates, file)
        with open(path) as f:
            text = f.read()
        texts[file] = text
        depth = 0
        for action in ACTION.findall(text):
            if action.startswith("/*"):
                continue
            if BLOCK_OPEN.match(action):
                depth += 1
            elif action == "end":
                depth -= 1
            if depth < 0:
                problems.append(f"{file}: 'end' without an opening action")
        if depth != 0:
            problems.append(f"{file}: {depth} template block(s) left open")
        for match in VALUES_PATH.finditer(text):
            dotted = match.group(1)[1:]
            if not has_path(values, dotted.split(".")):
                problems.append(f"{file}: .Values.{dotted} is not in values.yaml")
        if not file.endswith(".yaml"):
            continue
        try:
            documents = [d for d in yaml.safe_load_all(blank_actions(text)) if d]
        except yaml.YAMLError as error:
            problems.append(f"{file}: not YAML once template actions are blanked: {error}")
            continue
        for doc in documents:
            kind = doc.get("kind")
            for key in ("apiVersion", "kind", "metadata"):
                if key not in doc:
                    problems.append(f"{file}: object without {key}")
            if "name" not in (doc.get("metadata") or {}):
                problems.append(f"{file}: {kind} without metadata.name")
            kinds.setdefault(kind, []).append((file, doc))

    want = {"StatefulSet": "apps/v1", "Deployment": "apps/v1", "Service": "v1", "ConfigMap": "v1",
            "HorizontalPodAutoscaler": "autoscaling/v2", "PodDisruptionBudget": "policy/v1",
            "ServiceMonitor": "monitoring.coreos.com/v1"}
    for kind, api in want.items():
        found = kinds.get(kind, [])
        if not found:
            problems.append(f"no {kind} in the chart")
        for file, doc in found:
            if doc.get("apiVersion") != api:
                problems.append(f"{file}: {kind} apiVersion {doc.get('apiVersion')}, want {api}")

    for file, doc in kinds.get("StatefulSet", []):
        spec = doc.get("spec", {})
        if not spec.get("serviceName"):
            problems.append(f"{file}: StatefulSet without serviceName (the headless Service)")
        if not spec.get("volumeClaimTemplates"):
            problems.append(f"{file}: StatefulSet without volumeClaimTemplates")
        mounts = [m.get("mountPath") for c in containers(spec) for m in c.get("volumeMounts", [])]
        if "/data" not in mounts:
            problems.append(f"{file}: shard container does not mount its volume at /data")
        check_probes(file, "StatefulSet", texts[file], spec, container_helper, problems)
    for file, doc in kinds.get("Deployment", []):
        check_probes(file, "Deployment", texts[file], doc.get("spec", {}), container_helper, problems)
    if not any(doc.get("spec", {}).get("clusterIP") == "None" for _, doc in kinds.get("Service", [])):
        problems.append("no headless Service (clusterIP: None) for the shard StatefulSet")
    if len(kinds.get("HorizontalPodAutoscaler", [])) < 2:
        problems.append("want a HorizontalPodAutoscaler for gateways and one for encoders")
    with open(os.path.join(templates, "encoder-deployment.yaml")) as f:
        encoder = f.read()
    if not re.search(r"if \.Values\.encoder\.gpu\.enabled \}\}\s*\n\s*nvidia\.com/gpu:", encoder):
        problems.append("encoder-deployment.yaml: nvidia.com/gpu is not requested behind .Values.encoder.gpu.enabled")

    for problem in problems:
        print(problem)
    print(f"checked {sum(len(v) for v in kinds.values())} objects in {len(os.listdir(templates))} templates: "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
