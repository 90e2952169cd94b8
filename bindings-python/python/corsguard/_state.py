"""What a running ASGI or WSGI middleware holds, as one object each, so that
``reconfigure`` replaces it with one assignment and a request, which reads
it once, is answered wholly by one configuration."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Callable, Optional

from ._dropin import starlette_policy
from ._hooks import Hooks
from ._native import Answerer, NativePolicy


class DropInState:
    """What a Starlette-keyword middleware's request needs. ``answer`` is
    the ASGI middleware's native request path (``Answerer.answer``)."""

    __slots__ = ("policy", "evaluate", "fullmatch", "hooks", "answer", "cors_on_errors")

    def __init__(self, policy: Any, fullmatch: Any, hooks: Hooks) -> None:
        self.policy = policy
        self.evaluate = policy._evaluate_latin1
        self.fullmatch = fullmatch
        self.hooks = hooks
        self.answer = Answerer(policy, "dropin", fullmatch, refusals=hooks.on_refusal is not None).answer
        self.cors_on_errors = hooks.cors_on_errors


def dropin_state(
    allow_origins: Collection[str],
    allow_methods: Collection[str],
    allow_headers: Collection[str],
    allow_credentials: bool,
    allow_origin_regex: Optional[str],
    allow_private_network: bool,
    expose_headers: Collection[str],
    max_age: int,
    strict: bool,
    hooks: Hooks,
) -> DropInState:
    """The state for Starlette's keywords (checked, warned about, loaded by
    the core), for the caller's caller's caller's line in warnings."""
    policy, fullmatch = starlette_policy(
        allow_origins,
        allow_methods,
        allow_headers,
        allow_credentials,
        allow_origin_regex,
        allow_private_network,
        expose_headers,
        max_age,
        strict=strict,
        stacklevel=3,
    )
    return DropInState(policy, fullmatch, hooks)


class PolicyState:
    """What a :class:`corsguard.Policy` middleware's request needs."""

    __slots__ = ("policy", "routed", "on_decision", "hooks", "answer")

    def __init__(self, policy: Any, on_decision: Optional[Callable[..., Any]], hooks: Hooks) -> None:
        self.policy = policy
        self.routed = policy.has_routes
        self.on_decision = on_decision
        self.hooks = hooks
        # The ASGI middleware's native request path, for a policy the core
        # holds (``corsguard.Policy``); None for another object with
        # ``evaluate``, which is asked as before.
        native = getattr(policy, "_native", None)
        self.answer = (
            Answerer(
                native,
                "policy",
                refusals=hooks.on_refusal is not None,
                decisions=on_decision is not None,
            ).answer
            if isinstance(native, NativePolicy)
            else None
        )
