#!/usr/bin/env python3
"""Runs the README quick starts as written.

A quick start is a set of fenced blocks in the READMEs, each marked by an HTML
comment on the line before it:

    <!-- quickstart NAME: file PATH -->   the block is the file PATH
    <!-- quickstart NAME: run -->         the block's commands run (bash -e)
    <!-- quickstart NAME: output -->      what the run commands print last
    <!-- quickstart NAME: serve PORT -->  the block's one command starts a
                                          server that listens on PORT

For each quick start this makes a fresh directory outside the checkout that
holds `app/` (empty: where the commands run, the user's app) and `corsguard`
(the clone: a link to this checkout), with HOME pointed at a fresh directory,
so `$HOME/.local` is new. It writes every file block into `app/`, runs the
run blocks in order (README.md first, then ffi-c, Python, Node, the CLI), compares the
output block with the end of what they printed, starts the server and runs
`tests/quickstart/checks/NAME.sh` against it (which sends real requests over
loopback; a quick start that serves nothing may have a check too, run after
its blocks). Every step has a time limit.

    tests/quickstart/run.py            every quick start
    tests/quickstart/run.py NAME...    only these
    tests/quickstart/run.py --list     what the READMEs hold
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READMES = ["README.md", "ffi-c/README.md", "bindings-python/README.md", "bindings-node/README.md", "cli/README.md"]
CHECKS = ROOT / "tests" / "quickstart" / "checks"
MARK = re.compile(r"^<!-- quickstart ([a-z0-9-]+): (file|run|output|serve)(?: (\S+))? -->$")
FENCE = re.compile(r"^(`{3,})[A-Za-z0-9_+-]*$")
RUN_LIMIT = 20 * 60  # seconds for one run block (a cold Rust build included)
SERVE_LIMIT = 60  # seconds for a server to listen
CHECK_LIMIT = 120


@dataclass
class Block:
    readme: str
    line: int
    kind: str
    arg: str | None
    text: str


@dataclass
class QuickStart:
    name: str
    blocks: list[Block] = field(default_factory=list)

    def of(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]


def parse() -> dict[str, QuickStart]:
    found: dict[str, QuickStart] = {}
    for readme in READMES:
        lines = (ROOT / readme).read_text(encoding="utf-8").splitlines()
        i = 0
        while i < len(lines):
            mark = MARK.match(lines[i].strip())
            if not mark:
                if "quickstart" in lines[i] and lines[i].lstrip().startswith("<!--"):
                    sys.exit(f"{readme}:{i + 1}: a quickstart mark this script does not read: {lines[i]!r}")
                i += 1
                continue
            name, kind, arg = mark.groups()
            if (kind in ("file", "serve")) != (arg is not None):
                sys.exit(f"{readme}:{i + 1}: `{kind}` {'needs' if kind in ('file', 'serve') else 'takes no'} argument")
            fence = FENCE.match(lines[i + 1]) if i + 1 < len(lines) else None
            if not fence:
                sys.exit(f"{readme}:{i + 1}: a quickstart mark must be followed by a fenced block")
            end = i + 2
            while end < len(lines) and lines[end] != fence.group(1):
                end += 1
            if end == len(lines):
                sys.exit(f"{readme}:{i + 2}: the fenced block never closes")
            text = "\n".join(lines[i + 2 : end]) + "\n"
            found.setdefault(name, QuickStart(name)).blocks.append(Block(readme, i + 1, kind, arg, text))
            i = end + 1
    for qs in found.values():
        if not qs.of("run"):
            sys.exit(f"quick start `{qs.name}` has no run block")
        if len(qs.of("serve")) > 1 or len(qs.of("output")) > 1:
            sys.exit(f"quick start `{qs.name}` has more than one serve or output block")
        if qs.of("serve") and not (CHECKS / f"{qs.name}.sh").is_file():
            sys.exit(f"quick start `{qs.name}` serves, but tests/quickstart/checks/{qs.name}.sh is missing")
    return found


def environment(base: Path) -> dict[str, str]:
    env = dict(os.environ)
    real_home = Path(env.get("HOME", str(Path.home())))
    # The toolchains and the package caches stay the user's own; only HOME is new.
    env.setdefault("CARGO_HOME", str(real_home / ".cargo"))
    env.setdefault("RUSTUP_HOME", str(real_home / ".rustup"))
    env.setdefault("npm_config_cache", str(real_home / ".npm"))
    env.setdefault("PIP_CACHE_DIR", str(real_home / ".cache" / "pip"))
    env["HOME"] = str(base / "home")
    env["PATH"] = f"{env['CARGO_HOME']}/bin:{env.get('PATH', '')}"
    for leak in ("CARGO_TARGET_DIR", "VIRTUAL_ENV", "PYTHONPATH", "NODE_PATH", "PKG_CONFIG_PATH"):
        env.pop(leak, None)
    return env


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def run_one(qs: QuickStart) -> bool:
    base = Path(tempfile.mkdtemp(prefix=f"corsguard-quickstart-{qs.name}-"))
    try:
        app = base / "app"
        app.mkdir()
        (base / "home").mkdir()
        (base / "corsguard").symlink_to(ROOT)
        env = environment(base)
        for block in qs.of("file"):
            path = app / block.arg
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block.text, encoding="utf-8")
        printed = ""
        for block in qs.of("run"):
            print(f"-- {qs.name}: {block.readme}:{block.line}: run", flush=True)
            result = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", block.text],
                cwd=app, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=RUN_LIMIT,
            )
            sys.stdout.write(result.stdout[-4000:])
            if result.returncode != 0:
                print(f"FAIL {qs.name}: {block.readme}:{block.line} exited {result.returncode}")
                return False
            printed = result.stdout
        for block in qs.of("output"):
            want = [l.rstrip() for l in block.text.strip().splitlines()]
            got = [l.rstrip() for l in printed.replace("\r", "").strip().splitlines()]
            if got[-len(want):] != want:
                print(f"FAIL {qs.name}: the run blocks did not end with what {block.readme}:{block.line} says they print")
                print("expected:\n" + "\n".join(want) + "\ngot:\n" + "\n".join(got[-len(want):]))
                return False
            print(f"-- {qs.name}: printed what {block.readme}:{block.line} says")
        for block in qs.of("serve"):
            port = int(block.arg)
            if listening(port):
                print(f"FAIL {qs.name}: port {port} is already in use, so the quick start's server cannot start")
                return False
            print(f"-- {qs.name}: {block.readme}:{block.line}: serve on {port}", flush=True)
            log = open(base / "server.log", "w+", encoding="utf-8")
            server = subprocess.Popen(
                ["bash", "-c", "exec " + block.text.strip()], cwd=app, env=env,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            try:
                deadline = time.monotonic() + SERVE_LIMIT
                while not listening(port):
                    if server.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        print(log.read()[-4000:])
                        print(f"FAIL {qs.name}: the server did not listen on {port}")
                        return False
                    time.sleep(0.1)
                check = subprocess.run(
                    ["bash", str(CHECKS / f"{qs.name}.sh"), str(port)], cwd=app, env=env,
                    timeout=CHECK_LIMIT,
                )
                if check.returncode != 0:
                    log.seek(0)
                    print(log.read()[-4000:])
                    print(f"FAIL {qs.name}: tests/quickstart/checks/{qs.name}.sh failed")
                    return False
            finally:
                stop(server)
                log.close()
        check = CHECKS / f"{qs.name}.sh"
        if not qs.of("serve") and check.is_file():
            result = subprocess.run(["bash", str(check)], cwd=app, env=env, timeout=CHECK_LIMIT)
            if result.returncode != 0:
                print(f"FAIL {qs.name}: tests/quickstart/checks/{qs.name}.sh failed")
                return False
        print(f"ok   {qs.name}")
        return True
    except subprocess.TimeoutExpired as error:
        print(f"FAIL {qs.name}: timed out after {error.timeout} s: {error.cmd}")
        return False
    finally:
        if os.environ.get("KEEP_QUICKSTART_DIRS") != "1":
            shutil.rmtree(base, ignore_errors=True)


def main(argv: list[str]) -> int:
    found = parse()
    if argv[:1] == ["--list"]:
        for qs in found.values():
            print(qs.name + ": " + ", ".join(f"{b.kind} {b.readme}:{b.line}" for b in qs.blocks))
        return 0
    unknown = [name for name in argv if name not in found]
    if unknown:
        print("unknown quick start(s): " + ", ".join(unknown) + "; known: " + ", ".join(found))
        return 2
    chosen = [found[name] for name in argv] if argv else list(found.values())
    if not chosen:
        print("no quick starts are marked in " + ", ".join(READMES))
        return 1
    failed = [qs.name for qs in chosen if not run_one(qs)]
    print(f"quick starts: {len(chosen) - len(failed)} of {len(chosen)} ran as written" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
