#!/usr/bin/env python3
"""Worst-case stack of the exported entry points of the embedded staticlib.

Reads the frame size of every function (`.stack_sizes`, emitted by rustc's
`-Z emit-stack-sizes`, printed by `llvm-readobj --stack-sizes`) and the call
graph (the `bl`/`b.w` relocations `llvm-objdump -d -r` prints), and sums the
frames along the deepest call chain from each entry point. A static bound:
every call counts as a nested frame (tail jumps too, which overstates), and
functions without a recorded frame (compiler-builtins' memcpy/memset, a few
words each) count as 0.

    stack.py TOOLS_DIR LIBRARY ENTRY...
"""
import re
import subprocess
import sys

tools, library, entries = sys.argv[1], sys.argv[2], sys.argv[3:]
readobj = subprocess.run([f"{tools}/llvm-readobj", "--stack-sizes", library],
                         capture_output=True, text=True, check=True).stdout
frames = {}
for names, size in re.findall(r"Functions: \[([^\]]*)\]\s*Size: (0x[0-9A-Fa-f]+)", readobj):
    for name in names.split(","):
        frames[name.strip()] = int(size, 16)

objdump = subprocess.run([f"{tools}/llvm-objdump", "-d", "-r", "--no-show-raw-insn", library],
                         capture_output=True, text=True, check=True).stdout
calls = {}
current = None
for line in objdump.splitlines():
    header = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
    if header:
        current = header.group(1)
        calls.setdefault(current, set())
        continue
    call = re.search(r"R_ARM_THM_(?:CALL|JUMP24)\s+(\S+)", line)
    if call and current is not None:
        calls[current].add(call.group(1))

known = {}
visiting = set()


def deepest(name):
    if name in known:
        return known[name]
    if name in visiting:
        sys.exit(f"stack.py: recursion through {name}; no static bound")
    visiting.add(name)
    below = max((deepest(callee) for callee in calls.get(name, ())), default=0)
    visiting.discard(name)
    known[name] = frames.get(name, 0) + below
    return known[name]


for entry in entries:
    if entry not in frames:
        sys.exit(f"stack.py: no frame size recorded for {entry}")
    print(f"{entry}: {deepest(entry)} bytes")
