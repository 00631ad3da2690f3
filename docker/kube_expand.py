#!/usr/bin/env python3
"""Expands Kubernetes manifests into what `podman kube play` runs: Pods and PersistentVolumeClaims.

podman kube play (4.3) runs Pods, Deployments, PersistentVolumeClaims and ConfigMaps, but not
StatefulSets or Jobs, and it has no Services. This does what their controllers would do:

- a StatefulSet becomes its claims (CLAIM-NAME-ORDINAL, one per volumeClaimTemplate and
  ordinal) and its pods (NAME-ORDINAL, labelled statefulset.kubernetes.io/pod-name), each pod's
  volumes pointing at its own claims; the container port named by --console-port gets a
  hostPort on 127.0.0.1 (standing in for the per-pod Service): the next of --host-ports;
- a Job becomes `parallelism` pods (NAME-INDEX); its sidecars (init containers with
  restartPolicy: Always) become ordinary containers, as they run beside the main one;
- Services are left out (named on stderr); anything else is passed through;
- container ports without a hostPort are dropped (podman would publish them on every interface).

Image names are replaced with --image FROM=TO; --only KIND keeps one kind. Writes a
multi-document YAML to stdout.

    docker/kube_expand.py docker/kubernetes/modules.yaml --host-ports 40001,40002 \\
        --image ghcr.io/YOUR-ORG/spwf04emu:latest=localhost/spwf04emu:latest
"""

import argparse
import copy
import sys

import yaml


def replace_images(pod_spec, images):
    for key in ("initContainers", "containers"):
        for container in pod_spec.get(key, []) or []:
            container["image"] = images.get(container["image"], container["image"])


def unpublish_ports(pod_spec):
    """Drops container ports without a hostPort: Kubernetes publishes none of them on the node,
    but podman 4.3 would publish each on all of the host's interfaces."""
    for key in ("initContainers", "containers"):
        for container in pod_spec.get(key, []) or []:
            ports = [p for p in container.get("ports", []) if "hostPort" in p]
            if ports:
                container["ports"] = ports
            else:
                container.pop("ports", None)


def statefulset_objects(document, options, host_ports):
    name = document["metadata"]["name"]
    spec = document["spec"]
    objects = []
    for ordinal in range(int(spec.get("replicas", 1))):
        pod_name = f"{name}-{ordinal}"
        pod_spec = copy.deepcopy(spec["template"]["spec"])
        volumes = pod_spec.setdefault("volumes", [])
        for template in spec.get("volumeClaimTemplates", []):
            claim = f"{template['metadata']['name']}-{pod_name}"
            objects.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                            "metadata": {"name": claim}, "spec": template["spec"]})
            volumes.append({"name": template["metadata"]["name"],
                            "persistentVolumeClaim": {"claimName": claim}})
        for container in pod_spec["containers"]:
            for port in container.get("ports", []):
                if port.get("name") == options.console_port:
                    if not host_ports:
                        sys.exit(f"kube_expand: not enough --host-ports for {pod_name}")
                    port["hostPort"] = host_ports.pop(0)
                    port["hostIP"] = "127.0.0.1"
        labels = dict(spec["template"]["metadata"].get("labels", {}))
        labels["statefulset.kubernetes.io/pod-name"] = pod_name
        pod_spec["hostname"] = pod_name
        objects.append({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": pod_name, "labels": labels}, "spec": pod_spec})
    return objects


def own_empty_dirs(pod_spec, pod_name):
    """Gives each emptyDir a name of the pod's own: podman 4.3 makes an emptyDir a named volume,
    which pods of the same template would share (the kubelet gives each pod its own)."""
    renamed = {}
    for volume in pod_spec.get("volumes", []):
        if "emptyDir" in volume:
            renamed[volume["name"]] = volume["name"] = f"{volume['name']}-{pod_name}"
    for key in ("initContainers", "containers"):
        for container in pod_spec.get(key, []) or []:
            for mount in container.get("volumeMounts", []):
                mount["name"] = renamed.get(mount["name"], mount["name"])


def job_objects(document):
    name = document["metadata"]["name"]
    spec = document["spec"]
    objects = []
    for index in range(int(spec.get("parallelism", 1))):
        pod_spec = copy.deepcopy(spec["template"]["spec"])
        sidecars = [c for c in pod_spec.get("initContainers", []) if c.get("restartPolicy") == "Always"]
        pod_spec["initContainers"] = [c for c in pod_spec.get("initContainers", []) if c not in sidecars]
        if not pod_spec["initContainers"]:
            del pod_spec["initContainers"]
        for sidecar in sidecars:
            del sidecar["restartPolicy"]
        pod_spec["containers"] = sidecars + pod_spec["containers"]
        own_empty_dirs(pod_spec, f"{name}-{index}")
        objects.append({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": f"{name}-{index}",
                                     "labels": {"job-name": name}}, "spec": pod_spec})
    return objects


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("manifest")
    parser.add_argument("--image", action="append", default=[], metavar="FROM=TO")
    parser.add_argument("--host-ports", default="", help="comma-separated, one per StatefulSet pod")
    parser.add_argument("--console-port", default="console", help="the container port's name")
    parser.add_argument("--only", metavar="KIND",
                        help="write only objects of this kind (Pod, PersistentVolumeClaim): podman "
                             "kube play refuses a claim whose volume exists, so a pod restart "
                             "plays the pods alone")
    options = parser.parse_args()
    images = dict(item.split("=", 1) for item in options.image)
    host_ports = [int(p) for p in options.host_ports.split(",") if p]

    with open(options.manifest, encoding="utf-8") as file:
        documents = [d for d in yaml.safe_load_all(file) if d]
    output = []
    for document in documents:
        kind = document.get("kind")
        if kind == "StatefulSet":
            output += statefulset_objects(document, options, host_ports)
        elif kind == "Job":
            output += job_objects(document)
        elif kind == "Service":
            print(f"kube_expand: left out Service {document['metadata']['name']}", file=sys.stderr)
        else:
            output.append(document)
    if options.only:
        output = [d for d in output if d["kind"] == options.only]
    for document in output:
        if document["kind"] == "Pod":
            replace_images(document["spec"], images)
            unpublish_ports(document["spec"])
    yaml.safe_dump_all(output, sys.stdout, sort_keys=False)


if __name__ == "__main__":
    main()
