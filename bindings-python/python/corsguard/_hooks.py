"""What every middleware shares beyond the answer itself: the refusal hook
(``on_refusal(request, refusal)``, called for each request the core refuses,
with the core's reason) and its error handling (``hook_errors``).

Whether a request is refused, and why, is the core's decision: the hook
only receives it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable, Optional

__all__ = ["Refusal", "HookErrorWarning", "Hooks", "KEEP"]

#: Default of ``reconfigure``'s hook keywords: keep the current value.
KEEP: Any = type("Keep", (), {"__repr__": lambda self: "KEEP"})()

HOOK_ERRORS = ("warn", "raise")


@dataclass(frozen=True)
class Refusal:
    """A request the core refused, as the refusal hook receives it.

    :ivar kind: what the core judged: ``"actual"``, ``"preflight"`` or
        ``"plain_options"``.
    :ivar code: the core's stable reason code (``"origin_not_allowed"``,
        ``"method_not_allowed"``, ``"header_not_allowed"``,
        ``"malformed_origin"``, ...), the same in every binding.
    :ivar reason: the core's sentence for it.
    :ivar origin: the request's ``Origin`` (``None`` when absent).
    :ivar method: the request's method.
    :ivar path: the request's path (without the query).
    """

    kind: str
    code: str
    reason: str
    origin: Optional[str]
    method: str
    path: str


class HookErrorWarning(RuntimeWarning):
    """A refusal hook raised; the request was answered as without the hook
    (reported once per middleware; ``hook_errors="raise"`` lets the error
    propagate instead)."""


def _text(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


class Hooks:
    """A middleware's validated hook options. ``hook_errors`` is ``"warn"``
    (a raising hook is reported once, as a :class:`HookErrorWarning`, and
    the request answered as without it) or ``"raise"`` (the error
    propagates to the server, or the framework, as the request's error)."""

    __slots__ = ("on_refusal", "hook_errors", "cors_on_errors", "_warned", "_where")

    def __init__(
        self,
        on_refusal: Optional[Callable[[Any, Refusal], object]] = None,
        hook_errors: str = "warn",
        cors_on_errors: bool = False,
        where: str = "corsguard",
    ) -> None:
        if on_refusal is not None and not callable(on_refusal):
            raise TypeError(f"{where}: on_refusal must be a callable (request, refusal) -> None")
        if hook_errors not in HOOK_ERRORS:
            raise ValueError(f"{where}: hook_errors must be 'warn' or 'raise', not {hook_errors!r}")
        if not isinstance(cors_on_errors, bool):
            raise TypeError(f"{where}: cors_on_errors must be True or False, not {cors_on_errors!r}")
        self.on_refusal = on_refusal
        self.hook_errors = hook_errors
        self.cors_on_errors = cors_on_errors
        self._warned = False
        self._where = where

    def replaced(self, on_refusal: Any = KEEP, hook_errors: Any = KEEP, cors_on_errors: Any = KEEP) -> "Hooks":
        """New hook options: each one given, the others kept."""
        hooks = Hooks(
            self.on_refusal if on_refusal is KEEP else on_refusal,
            self.hook_errors if hook_errors is KEEP else hook_errors,
            self.cors_on_errors if cors_on_errors is KEEP else cors_on_errors,
            self._where,
        )
        hooks._warned = self._warned
        return hooks

    def refused(self, request: Any, refusal: tuple, origin: Any, method: Any, path: Any) -> None:
        """Calls ``on_refusal`` for a refusal ``(kind, code, reason)`` of the
        core (a no-op without a hook)."""
        hook = self.on_refusal
        if hook is None:
            return
        kind, code, reason = refusal
        try:
            hook(request, Refusal(kind, code, reason, _text(origin), _text(method) or "GET", _text(path) or "/"))
        except Exception as error:
            self.failed(error)

    def failed(self, error: BaseException) -> None:
        """A hook raised ``error``: raise it again or report it once."""
        if self.hook_errors == "raise":
            raise error
        if not self._warned:
            self._warned = True
            warnings.warn(
                f"{self._where}: the on_refusal hook raised {error!r}; requests are answered as "
                "without it (hook_errors='raise' lets the error propagate)",
                HookErrorWarning,
                stacklevel=2,
            )
