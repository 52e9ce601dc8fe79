#!/usr/bin/env python3
"""Rehearses a service's image build where no Docker engine runs.

Usage: rehearse-image.py <repository root> <service> <work dir>

What Docker would do, read from the service's Dockerfile rather than repeated here:

1. the build context, as .dockerignore leaves it (docker-py's own matcher), copied to
   <work>/workspace, the build stage's WORKDIR;
2. the build stage's RUN steps after `COPY . .` (install, build, bundle, `pnpm deploy`),
   with /out standing for <work>/out;
3. the runtime stage's ENV and its RUN steps after `COPY --from=build /out ./` (the
   compile cache), with /app standing for <work>/out;
4. the service started as CMD says, with the runtime ENV and a placeholder for each
   required URL setting it has no default for: it must answer /health/live with 200,
   then stop with exit code 0 on SIGTERM, as ECS stops a task.

The base image, the user and the HEALTHCHECK are Docker's business and are not
rehearsed; hadolint checks the file itself.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from docker.utils.build import exclude_paths


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    out, pending = [], ""
    for raw in open(dockerfile, encoding="utf-8"):
        line = raw.rstrip("\n")
        if line.lstrip().startswith("#") and not pending.endswith("\\"):
            continue
        if pending:
            pending = pending[:-1] + " " + line.strip()
        else:
            pending = line.strip()
        if pending.endswith("\\"):
            continue
        if pending:
            keyword, _, rest = pending.partition(" ")
            out.append((keyword.upper(), rest.strip()))
        pending = ""
    return out


def substitute(text: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m[1] or m[2], m[0]), text)


def env_pairs(rest: str, args: dict[str, str]) -> dict[str, str]:
    return {k: substitute(v, args) for k, v in re.findall(r"(\w+)=(\S+)", rest)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(command: str, cwd: str, env: dict[str, str]) -> None:
    print(f"  $ {command}", flush=True)
    subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=cwd, env=env, check=True)


def main() -> int:
    root, service, work = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
    dockerfile = os.path.join(root, "services", service, "Dockerfile")
    workspace, out = os.path.join(work, "workspace"), os.path.join(work, "out")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(workspace)

    patterns = [
        line.strip()
        for line in open(os.path.join(root, ".dockerignore"), encoding="utf-8")
        if line.strip() and not line.startswith("#")
    ]
    included = sorted(p for p in exclude_paths(root, patterns) if os.path.isfile(os.path.join(root, p)))
    for path in included:
        os.makedirs(os.path.dirname(os.path.join(workspace, path)), exist_ok=True)
        shutil.copy2(os.path.join(root, path), os.path.join(workspace, path))
    print(f"build context: {len(included)} files after .dockerignore", flush=True)

    args: dict[str, str] = {}
    stage, after_copy = "", False
    # The Node the repository pins (the images' Node 24), not the machine's.
    path = f"{os.path.join(os.path.abspath(root), 'node_modules/node/bin')}:{os.environ['PATH']}"
    base_env = {**os.environ, "CI": "true", "PATH": path}
    runtime_env: dict[str, str] = {}
    cmd: list[str] = []
    for keyword, rest in instructions(dockerfile):
        if keyword == "ARG":
            name, _, default = rest.partition("=")
            if default:
                args[name] = substitute(default, args)
        elif keyword == "FROM":
            stage = rest.split(" AS ")[-1].strip() if " AS " in rest else rest
            after_copy = False
        elif keyword == "COPY":
            after_copy = rest == ". ." or rest.startswith("--from=build /out")
        elif keyword == "ENV" and stage == "runtime":
            runtime_env.update(
                {k: v.replace("/app", out) for k, v in env_pairs(rest, args).items()}
            )
        elif keyword == "RUN" and after_copy:
            command = substitute(rest, args)
            if stage == "build":
                run(command.replace("/out", out), workspace, base_env)
            elif stage == "runtime":
                run(command, out, {**base_env, **runtime_env})
        elif keyword == "CMD":
            cmd = json.loads(rest)

    manifest = json.load(open(os.path.join(root, "services", service, "service.json"), encoding="utf-8"))
    env = {**base_env, **runtime_env}
    for setting in manifest["settings"]:
        if setting["required"] and "default" not in setting and setting["name"] not in env:
            if not setting["name"].endswith("_URL"):
                print(f"no placeholder for the required setting {setting['name']}", file=sys.stderr)
                return 1
            env[setting["name"]] = "http://127.0.0.1:9"
    port = free_port()
    env["PORT"], env["HOST"] = str(port), "127.0.0.1"
    print(f"  $ {' '.join(cmd)}   (in the image's /app, port {port})", flush=True)
    process = subprocess.Popen(cmd, cwd=out, env=env)
    try:
        deadline, status = time.monotonic() + 30, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=2) as r:
                    status = r.status
                    break
            except OSError:
                time.sleep(0.1)
        if status != 200:
            print(f"{service}: /health/live did not answer 200 within 30 s", file=sys.stderr)
            return 1
        print(f"{service}: /health/live answered 200", flush=True)
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
        if code != 0:
            print(f"{service}: exited {code} on SIGTERM, not 0", file=sys.stderr)
            return 1
        print(f"{service}: stopped on SIGTERM with exit code 0", flush=True)
        return 0
    finally:
        if process.poll() is None:
            process.kill()


if __name__ == "__main__":
    sys.exit(main())
