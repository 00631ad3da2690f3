#!/usr/bin/python3
"""Checks the YAML this project ships but cannot run here as is: the GitHub workflows, the
compose file and the Kubernetes manifests. Each must parse and have the shape its tool reads;
the image workflow must run the same container scripts as scripts/test.sh (so CI here and on
GitHub test the same thing), every script a workflow runs must exist and be executable, and
every image the manifests name must be one docker/kube-test.sh maps to a local image.

Prints one line per check and "yaml: N passed, M failed"; exit status 1 when any failed.
    docker/check-yaml.py [REPOSITORY-ROOT]
"""

import os
import re
import sys

import yaml

root = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), ".."))
results = []


def check(ok, what):
    results.append(bool(ok))
    print(f"{'ok  ' if ok else 'FAIL'} - {what}", flush=True)


def load_all(path):
    try:
        with open(os.path.join(root, path), encoding="utf-8") as file:
            documents = [d for d in yaml.safe_load_all(file) if d is not None]
        check(documents, f"{path} parses ({len(documents)} documents)")
        return documents
    except (OSError, yaml.YAMLError) as error:
        check(False, f"{path}: {error}")
        return []


def scripts_in(command):
    """The repository scripts a shell command runs (docker/x.sh, scripts/y.sh, examples/...py)."""
    return re.findall(r"(?:^|[\s/])((?:docker|scripts|examples)/[\w./-]+\.(?:sh|py))", command)


def check_workflow(path):
    documents = load_all(path)
    if not documents:
        return []
    workflow = documents[0]
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    check(triggers, f"{path}: has triggers ('on')")
    jobs = workflow.get("jobs") or {}
    check(jobs, f"{path}: has jobs")
    commands = []
    for name, job in jobs.items():
        check(job.get("runs-on") and job.get("steps"), f"{path}: job {name} has runs-on and steps")
        steps = job.get("steps", [])
        check(all(("run" in step) != ("uses" in step) for step in steps),
              f"{path}: {name}: each of its {len(steps)} steps has one of run/uses")
        for step in steps:
            if "run" in step:
                commands.append(step["run"])
                for script in scripts_in(step["run"]):
                    full = os.path.join(root, script)
                    executable = os.access(full, os.X_OK) or script.endswith(".py")
                    check(os.path.isfile(full) and executable, f"{path}: runs {script}, which exists")
    return commands


def main():
    image_commands = check_workflow(".github/workflows/image.yml")
    check_workflow(".github/workflows/example-firmware-ci.yml")

    # The image workflow runs every container script scripts/test.sh runs.
    with open(os.path.join(root, "scripts/test.sh"), encoding="utf-8") as file:
        ci_scripts = sorted({s for s in scripts_in(file.read()) if s.startswith("docker/")})
    run_by_workflow = {s for command in image_commands for s in scripts_in(command)}
    for script in ci_scripts:
        check(script in run_by_workflow, f"image.yml runs {script} as scripts/test.sh does")

    compose = load_all("docker/compose.yaml")
    services = (compose[0] if compose else {}).get("services", {})
    check({"emulator", "test-server", "firmware"} <= set(services),
          "compose.yaml: services emulator, test-server, firmware")
    for name, service in services.items():
        check(service.get("pull_policy") == "never", f"compose.yaml: {name} uses local images only")

    images = set()
    kinds = []
    for path in ("docker/kubernetes/modules.yaml", "docker/kubernetes/firmware-job.yaml"):
        for document in load_all(path):
            kinds.append(document.get("kind"))
            check(document.get("apiVersion") and document.get("metadata", {}).get("name"),
                  f"{path}: {document.get('kind')} has apiVersion and metadata.name")
            template = document.get("spec", {}).get("template", {}).get("spec", {})
            for container in template.get("initContainers", []) + template.get("containers", []):
                images.add(container["image"])
    check({"StatefulSet", "Service", "Job"} <= set(kinds), "the manifests have a StatefulSet, Services, a Job")
    with open(os.path.join(root, "docker/kube-test.sh"), encoding="utf-8") as file:
        kube_test = file.read()
    for image in sorted(images):
        check(f"{image}=" in kube_test, f"docker/kube-test.sh maps {image} to a local image")

    failed = results.count(False)
    print(f"yaml: {results.count(True)} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
