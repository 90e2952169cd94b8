"""Building a policy needs only a small stack: threads with small stacks can build one.

Each build runs in a fresh interpreter (a subprocess), on a thread made with
``threading.stack_size``: a stack overflow there is a SIGSEGV that fails the
test instead of killing pytest.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

BUILD = textwrap.dedent(
    """
    import sys, threading
    import corsguard

    stack, what = int(sys.argv[1]), sys.argv[2]
    # The fewest origins each capacity class is chosen for.
    count = {"small": 10, "default": 200, "large": 300}
    results = []

    def build():
        if what == "baseline":
            # A call into the native module that builds no policy.
            from corsguard._native import merge_vary
            results.append(merge_vary("join", b"Accept", b"Origin") is not None)
            return
        for capacity in what.split(","):
            origins = ["https://host-%d.example" % i for i in range(count[capacity])]
            policy = corsguard.Policy(allow_origins=origins, allow_credentials=True)
            decision = policy.evaluate("GET", origin="https://host-7.example")
            results.append(decision.allowed and policy.capacity == capacity)

    threading.stack_size(stack)
    thread = threading.Thread(target=build)
    thread.start()
    thread.join()
    print("built" if results and all(results) else "wrong: %r" % results)
    """
)


def run_on_stack(stack: int, what: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BUILD, str(stack), what], capture_output=True, text=True, timeout=120
    )


def builds_on(stack: int, what: str) -> bool:
    result = run_on_stack(stack, what)
    if result.returncode == 0 and result.stdout.strip() == "built":
        return True
    # Only a crash (the stack overflowed) means "too small"; anything else is a bug.
    assert result.returncode < 0, (result.returncode, result.stdout, result.stderr)
    return False


def test_policies_of_every_class_build_on_a_256_kib_thread_stack():
    result = run_on_stack(256 * 1024, "small,default,large")
    assert (result.returncode, result.stdout.strip()) == (0, "built"), result.stderr


def smallest_stack(what: str) -> int:
    """The smallest thread stack (to 4 KiB) that `what` runs on."""
    low, high = 32 * 1024, 256 * 1024  # threading.stack_size's minimum, and the test above
    assert builds_on(high, what)
    while high - low > 4096:
        middle = (low + high) // 2 // 4096 * 4096
        if builds_on(middle, what):
            high = middle
        else:
            low = middle
    return high


@pytest.mark.parametrize("capacity", ["small", "default", "large"])
def test_building_needs_at_most_16_kib_more_stack_than_a_plain_native_call(capacity):
    baseline = smallest_stack("baseline")
    needed = smallest_stack(capacity)
    print(f"\n{capacity}: smallest thread stack {needed // 1024} KiB, a call that builds nothing "
          f"{baseline // 1024} KiB: the build needs at most {(needed - baseline) // 1024 + 4} KiB")
    assert needed - baseline <= 16 * 1024 - 4096
