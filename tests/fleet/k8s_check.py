#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""k8s_check.py MANIFEST: each object of a Kubernetes manifest against the
API's schema as Debian's python3-kubernetes models it. The object must
deserialize into its kind's model (required fields present), and come back
unchanged: a misspelt or misplaced field is dropped by the model, so it shows
as a difference. Then what the API server checks beyond the schema that
applies here: allowPrivilegeEscalation may not be false beside CAP_SYS_ADMIN
or privileged. Prints one line per object; exit 1 on any problem."""
import json
import sys

import yaml
from kubernetes import client


class Response:  # what ApiClient.deserialize reads
    def __init__(self, obj):
        self.data = json.dumps(obj)


def differences(want, got, path):
    if isinstance(want, dict) and isinstance(got, dict):
        for key, value in want.items():
            if key not in got:
                yield f"{path}.{key}: not a field of the API (dropped by the model)"
            else:
                yield from differences(value, got[key], f"{path}.{key}")
    elif isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        for i, (w, g) in enumerate(zip(want, got)):
            yield from differences(w, g, f"{path}[{i}]")
    elif want != got:
        yield f"{path}: {want!r} reads back as {got!r}"


def escalation_problems(spec, path):
    for i, c in enumerate(spec.get("containers", []) + spec.get("initContainers", [])):
        sc = c.get("securityContext") or {}
        added = (sc.get("capabilities") or {}).get("add") or []
        if sc.get("allowPrivilegeEscalation") is False and (sc.get("privileged") or "SYS_ADMIN" in added):
            yield f"{path}.containers[{i}]: allowPrivilegeEscalation false with privileged or SYS_ADMIN is refused"


def main(path):
    api = client.ApiClient()
    problems = []
    with open(path) as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    if not docs:
        problems.append(f"{path}: no objects")
    for doc in docs:
        version = doc["apiVersion"].split("/")[-1]
        model = version[0].upper() + version[1:] + doc["kind"]
        name = f"{doc['kind']}/{doc.get('metadata', {}).get('name', '?')}"
        try:
            obj = api.deserialize(Response(doc), model)
        except (ValueError, TypeError, AttributeError) as e:
            problems.append(f"{name}: does not read as {model}: {e}")
            continue
        back = api.sanitize_for_serialization(obj)
        problems += [f"{name}: {d}" for d in differences(doc, back, "")]
        pod = (doc.get("spec") or {}).get("template", {}).get("spec")
        if pod:
            problems += [f"{name}: {p}" for p in escalation_problems(pod, ".spec.template.spec")]
        print(f"k8s: {name} reads as {model}, every field the API's")
    for p in problems:
        print(f"FAIL: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
