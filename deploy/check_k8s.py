#!/usr/bin/env python3
"""Checks the objects `kubectl kustomize deploy/k8s` renders against the names and behaviours the
runbook relies on (statefulset thunderdb in namespace thunderdb, PVCs data-/wal-thunderdb-0, ConfigMap
thunderdb-config, probes, grace period, peers' DNS names). Reads the rendered YAML on stdin; prints
one line per failed expectation and exits 1 if there is any."""
import sys

import yaml

objects = [o for o in yaml.safe_load_all(sys.stdin) if o]
failures = []


def expect(condition, what):
    if not condition:
        failures.append(what)


def find(kind, name):
    for o in objects:
        if o.get("kind") == kind and o["metadata"]["name"] == name:
            return o
    failures.append(f"{kind} {name} is missing")
    return None


ns = find("Namespace", "thunderdb")
for o in objects:
    if o["kind"] != "Namespace":
        expect(o["metadata"].get("namespace") == "thunderdb", f"{o['kind']} {o['metadata']['name']} is not in namespace thunderdb")

config = find("ConfigMap", "thunderdb-config")
if config:
    toml = config.get("data", {}).get("thunderdb.toml", "")
    expect('data_dir = "/var/lib/thunderdb/data"' in toml, "thunderdb.toml does not put data_dir at /var/lib/thunderdb/data")
    expect('wal_dir = "/var/lib/thunderdb/wal"' in toml, "thunderdb.toml does not put wal_dir at /var/lib/thunderdb/wal")
    expect('listen_addr = "0.0.0.0"' in toml, "thunderdb.toml does not listen on all addresses")

secret = find("Secret", "thunderdb-credentials")
if secret:
    keys = set(secret.get("data", {})) | set(secret.get("stringData", {}))
    for key in ("THUNDERDB_SUPERUSER_PASSWORD_HASH", "THUNDERDB_ADMIN_TOKEN_HASH"):
        expect(key in keys, f"Secret thunderdb-credentials has no {key}")

sts = find("StatefulSet", "thunderdb")
if sts:
    spec = sts["spec"]
    pod = spec["template"]["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    expect(labels.get("app.kubernetes.io/name") == "thunderdb", "pods are not labelled app.kubernetes.io/name=thunderdb")
    expect(spec["selector"]["matchLabels"].get("app.kubernetes.io/name") == "thunderdb", "selector does not match app.kubernetes.io/name=thunderdb")
    expect(spec.get("serviceName") == "thunderdb", "serviceName is not the headless Service thunderdb")
    expect(pod.get("terminationGracePeriodSeconds") == 30, "terminationGracePeriodSeconds is not 30")
    claims = [c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", [])]
    expect(claims == ["data", "wal"], f"volumeClaimTemplates are {claims}, expected data and wal (PVCs data-thunderdb-0, wal-thunderdb-0)")
    containers = pod["containers"]
    expect(len(containers) == 1, "expected one container")
    c = containers[0]
    expect(c["image"] == "thunderdb/thunderdb:latest", f"image is {c['image']}, the runbook runs thunderdb/thunderdb:latest")
    expect(c.get("args") == ["--config", "/etc/thunderdb/thunderdb.toml"], "the container does not start with --config /etc/thunderdb/thunderdb.toml")
    expect(c["livenessProbe"]["httpGet"]["path"] == "/admin/live", "liveness probe is not /admin/live")
    expect(c["readinessProbe"]["httpGet"]["path"] == "/admin/ready", "readiness probe is not /admin/ready")
    ports = {p["containerPort"] for p in c["ports"]}
    expect(ports == {5432, 3306, 6379, 8080, 9090}, f"container ports are {sorted(ports)}")
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    expect(mounts.get("/etc/thunderdb") == "config", "config is not mounted at /etc/thunderdb")
    expect(mounts.get("/var/lib/thunderdb/data") == "data", "the data PVC is not mounted at /var/lib/thunderdb/data")
    expect(mounts.get("/var/lib/thunderdb/wal") == "wal", "the wal PVC is not mounted at /var/lib/thunderdb/wal")
    config_volume = next((v for v in pod["volumes"] if v["name"] == "config"), {})
    sources = config_volume.get("projected", {}).get("sources", [])
    expect(any(s.get("configMap", {}).get("name") == "thunderdb-config" for s in sources), "the config volume does not project ConfigMap thunderdb-config")
    expect(any(e.get("secretRef", {}).get("name") == "thunderdb-credentials" for e in c.get("envFrom", [])), "the secrets are not passed as environment")
    res = c.get("resources", {})
    expect("memory" in res.get("limits", {}) and "cpu" in res.get("requests", {}), "resource requests/limits are missing")
    sc = c.get("securityContext", {})
    expect(sc.get("readOnlyRootFilesystem") is True, "root filesystem is not read-only")
    expect(pod.get("securityContext", {}).get("runAsNonRoot") is True, "pods may run as root")
    expect(spec["template"]["metadata"].get("annotations", {}).get("prometheus.io/scrape") == "true", "no Prometheus scrape annotation")

headless = find("Service", "thunderdb")
if headless:
    expect(headless["spec"].get("clusterIP") == "None", "Service thunderdb is not headless (peers need thunderdb-0.thunderdb.thunderdb.svc)")
    expect(any(p["port"] == 9090 for p in headless["spec"]["ports"]), "the headless Service does not carry the cluster port 9090")
client = find("Service", "thunderdb-client")
if client:
    expect({p["port"] for p in client["spec"]["ports"]} >= {5432, 3306, 6379, 8080}, "the client Service lacks protocol ports")
pdb = find("PodDisruptionBudget", "thunderdb")

for f in failures:
    print(f"k8s: {f}")
sys.exit(1 if failures else 0)
