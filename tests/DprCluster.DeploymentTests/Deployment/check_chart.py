"""Checks of a Helm chart and of its rendered manifests (render_chart/ renders them with Helm's template engine).

Usage: /usr/bin/python3 check_chart.py <chart directory> <rendered.json> [<rendered.json> ...]

The chart's sources: Chart.yaml and values.yaml parse; every .Values path a template uses exists in values.yaml (the
engine renders a misspelt path as nothing, silently); every leaf of values.yaml is documented in README.md.
Each rendering (a JSON array of {source, object}, as `render_chart -json` prints): every object has apiVersion, kind
and a unique name; the kinds have the API versions Kubernetes serves; and the objects fit together the way the API
server and controllers need: workload selectors match their pod labels, probes hit /healthz and /readyz on a declared
port, mounts name declared volumes, config maps exist, Services select pods and target their named ports, the
StatefulSet's serviceName is a headless Service selecting it, autoscalers and disruption budgets point at workloads,
a ServiceMonitor selects Services by their labels and scrapes a port they declare, GPU requests equal GPU limits.
Prints one line per problem and exits 1 when there is any.
"""
import json
import os
import re
import sys

import yaml

VALUES_PATH = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
API_VERSIONS = {"StatefulSet": "apps/v1", "Deployment": "apps/v1", "Service": "v1", "ConfigMap": "v1",
                "HorizontalPodAutoscaler": "autoscaling/v2", "PodDisruptionBudget": "policy/v1",
                "ServiceMonitor": "monitoring.coreos.com/v1", "ServiceAccount": "v1",
                "Role": "rbac.authorization.k8s.io/v1", "RoleBinding": "rbac.authorization.k8s.io/v1"}
SILO_COMPONENTS = ("gateway", "shard", "encoder")
WORKLOADS = ("Deployment", "StatefulSet")
PROBES = (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"))


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


def check_sources(chart, problems):
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
    templates = os.path.join(chart, "templates")
    for file in sorted(os.listdir(templates)):
        with open(os.path.join(templates, file)) as f:
            text = f.read()
        for match in VALUES_PATH.finditer(text):
            dotted = match.group(1)[1:]
            if not has_path(values, dotted.split(".")):
                problems.append(f"{file}: .Values.{dotted} is not in values.yaml")


def pod_spec(workload):
    return workload["spec"].get("template", {}).get("spec", {})


def pod_labels(workload):
    return workload["spec"].get("template", {}).get("metadata", {}).get("labels", {}) or {}


def selects(selector, labels):
    """Whether a label selector (matchLabels and matchExpressions, or a Service's plain map) matches labels."""
    if not selector:
        return False
    match_labels = selector.get("matchLabels", {}) if ("matchLabels" in selector or "matchExpressions" in selector) else selector
    if any(labels.get(key) != value for key, value in (match_labels or {}).items()):
        return False
    for expression in selector.get("matchExpressions", []) if "matchExpressions" in selector else []:
        operator, key, allowed = expression.get("operator"), expression.get("key"), expression.get("values", [])
        if operator == "In" and labels.get(key) not in allowed:
            return False
        if operator == "NotIn" and labels.get(key) in allowed:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def container_port_names(workload):
    return {port.get("name") for container in pod_spec(workload).get("containers", []) for port in container.get("ports", [])}


def check_workload(name, workload, by_kind, problems):
    spec = workload["spec"]
    if not selects(spec.get("selector"), pod_labels(workload)):
        problems.append(f"{name}: spec.selector does not match the pod template's labels")
    pod = pod_spec(workload)
    volumes = {volume.get("name") for volume in pod.get("volumes", [])}
    volumes |= {claim.get("metadata", {}).get("name") for claim in spec.get("volumeClaimTemplates", [])}
    config_maps = {obj["metadata"]["name"] for obj in by_kind.get("ConfigMap", [])}
    for volume in pod.get("volumes", []):
        if "configMap" in volume and volume["configMap"].get("name") not in config_maps:
            problems.append(f"{name}: volume {volume.get('name')} names config map {volume['configMap'].get('name')}, which the chart does not make")
    if not pod.get("containers"):
        problems.append(f"{name}: no containers")
    silo = pod_labels(workload).get("app.kubernetes.io/component") in SILO_COMPONENTS
    for container in pod.get("containers", []):
        where = f"{name} container {container.get('name')}"
        ports = {port.get("name") for port in container.get("ports", [])}
        # Silos answer the health endpoints; other workloads (the membership store) bring probes of their own kind.
        for probe, path in PROBES if silo else ():
            get = (container.get(probe) or {}).get("httpGet") or {}
            if get.get("path") != path:
                problems.append(f"{where}: {probe} path is {get.get('path')!r}, want {path}")
            if get.get("port") not in ports:
                problems.append(f"{where}: {probe} port {get.get('port')!r} is not a declared container port")
        for mount in container.get("volumeMounts", []):
            if mount.get("name") not in volumes:
                problems.append(f"{where}: mounts {mount.get('name')!r}, which is neither a volume nor a claim template")
        resources = container.get("resources") or {}
        if not (resources.get("requests") or {}).get("cpu") or not (resources.get("requests") or {}).get("memory"):
            problems.append(f"{where}: no cpu and memory requests (the autoscaler and the scheduler need them)")
        gpu_requests = (resources.get("requests") or {}).get("nvidia.com/gpu")
        gpu_limits = (resources.get("limits") or {}).get("nvidia.com/gpu")
        if gpu_requests != gpu_limits:
            problems.append(f"{where}: nvidia.com/gpu requests {gpu_requests} differ from limits {gpu_limits} (extended resources need both equal)")
        if gpu_requests and not (pod.get("nodeSelector") or pod.get("affinity")):
            problems.append(f"{where}: requests GPUs but the pod selects no GPU nodes")


def check_pod_permissions(name, workload, by_kind, problems):
    """Silos run Orleans' Kubernetes hosting, which watches and deletes silo pods: their account must be allowed to."""
    if pod_labels(workload).get("app.kubernetes.io/component") not in SILO_COMPONENTS:
        return
    account = pod_spec(workload).get("serviceAccountName")
    if account not in {obj["metadata"]["name"] for obj in by_kind.get("ServiceAccount", [])}:
        problems.append(f"{name}: serviceAccountName {account!r} is not a ServiceAccount of the chart")
        return
    roles = {obj["metadata"]["name"]: obj for obj in by_kind.get("Role", [])}
    granted = set()
    for binding in by_kind.get("RoleBinding", []):
        if any(s.get("kind") == "ServiceAccount" and s.get("name") == account for s in binding.get("subjects", [])):
            role = roles.get(binding.get("roleRef", {}).get("name"))
            for rule in (role or {}).get("rules", []):
                if "pods" in rule.get("resources", []):
                    granted |= set(rule.get("verbs", []))
    missing = {"get", "watch", "list", "delete"} - granted
    if missing:
        problems.append(f"{name}: its service account may not {sorted(missing)} pods, which Orleans' Kubernetes hosting needs")


def check_rendering(path, problems):
    with open(path) as f:
        entries = json.load(f)
    label = os.path.basename(path)
    by_kind, names = {}, set()
    for entry in entries:
        obj, source = entry["object"], entry["source"]
        kind = obj.get("kind")
        for key in ("apiVersion", "kind", "metadata"):
            if key not in obj:
                problems.append(f"{label} {source}: object without {key}")
        name = (obj.get("metadata") or {}).get("name")
        if not name:
            problems.append(f"{label} {source}: {kind} without metadata.name")
        if (kind, name) in names:
            problems.append(f"{label} {source}: two {kind} objects named {name}")
        names.add((kind, name))
        if kind in API_VERSIONS and obj.get("apiVersion") != API_VERSIONS[kind]:
            problems.append(f"{label} {source}: {kind} apiVersion {obj.get('apiVersion')}, want {API_VERSIONS[kind]}")
        by_kind.setdefault(kind, []).append(obj)

    workloads = [obj for kind in WORKLOADS for obj in by_kind.get(kind, [])]
    for workload in workloads:
        check_workload(f"{label} {workload['kind']} {workload['metadata']['name']}", workload, by_kind, problems)
        check_pod_permissions(f"{label} {workload['kind']} {workload['metadata']['name']}", workload, by_kind, problems)

    services = by_kind.get("Service", [])
    for service in services:
        where = f"{label} Service {service['metadata']['name']}"
        selected = [w for w in workloads if selects(service["spec"].get("selector"), pod_labels(w))]
        if not selected:
            problems.append(f"{where}: its selector matches no pods of the chart")
        for port in service["spec"].get("ports", []):
            target = port.get("targetPort", port.get("port"))
            if isinstance(target, str) and any(target not in container_port_names(w) for w in selected):
                problems.append(f"{where}: targetPort {target!r} is not a named port of the pods it selects")

    for stateful in by_kind.get("StatefulSet", []):
        where = f"{label} StatefulSet {stateful['metadata']['name']}"
        governing = [s for s in services if s["metadata"]["name"] == stateful["spec"].get("serviceName")]
        if not governing:
            problems.append(f"{where}: serviceName {stateful['spec'].get('serviceName')!r} is not a Service of the chart")
        for service in governing:
            if service["spec"].get("clusterIP") != "None":
                problems.append(f"{where}: its serviceName Service is not headless (clusterIP: None)")
            if not selects(service["spec"].get("selector"), pod_labels(stateful)):
                problems.append(f"{where}: its headless Service does not select its pods")
        if not stateful["spec"].get("volumeClaimTemplates"):
            problems.append(f"{where}: no volumeClaimTemplates")
        mounts = [m.get("mountPath") for c in pod_spec(stateful).get("containers", []) for m in c.get("volumeMounts", [])]
        if "/data" not in mounts:
            problems.append(f"{where}: nothing mounted at /data")

    for autoscaler in by_kind.get("HorizontalPodAutoscaler", []):
        where = f"{label} HorizontalPodAutoscaler {autoscaler['metadata']['name']}"
        spec = autoscaler["spec"]
        target = spec.get("scaleTargetRef", {})
        found = [w for w in by_kind.get(target.get("kind"), []) if w["metadata"]["name"] == target.get("name")]
        if not found:
            problems.append(f"{where}: scales {target.get('kind')} {target.get('name')}, which the chart does not make")
        for workload in found:
            if "replicas" in workload["spec"]:
                problems.append(f"{where}: {target.get('name')} sets spec.replicas, which every upgrade would reset under the autoscaler")
        if not 1 <= spec.get("minReplicas", 1) <= spec.get("maxReplicas", 0):
            problems.append(f"{where}: want 1 <= minReplicas <= maxReplicas")

    for budget in by_kind.get("PodDisruptionBudget", []):
        if not any(selects(budget["spec"].get("selector"), pod_labels(w)) for w in workloads):
            problems.append(f"{label} PodDisruptionBudget {budget['metadata']['name']}: its selector matches no pods of the chart")

    for monitor in by_kind.get("ServiceMonitor", []):
        where = f"{label} ServiceMonitor {monitor['metadata']['name']}"
        watched = [s for s in services if selects(monitor["spec"].get("selector"), s["metadata"].get("labels", {}))]
        if not watched:
            problems.append(f"{where}: its selector matches no Service labels")
        for endpoint in monitor["spec"].get("endpoints", []):
            if any(endpoint.get("port") not in {p.get("name") for p in s["spec"].get("ports", [])} for s in watched):
                problems.append(f"{where}: endpoint port {endpoint.get('port')!r} is not a port of every Service it selects")
    return sum(len(objects) for objects in by_kind.values())


def main(chart, renderings):
    problems = []
    check_sources(chart, problems)
    counts = [check_rendering(path, problems) for path in renderings]
    for problem in problems:
        print(problem)
    print(f"checked the chart's sources and {len(renderings)} rendering(s) of {', '.join(map(str, counts))} objects: "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
