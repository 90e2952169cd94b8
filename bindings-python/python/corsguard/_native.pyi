"""Type stubs for the native extension (import from ``corsguard`` instead)."""

from collections.abc import Callable
from typing import Any, Literal, Optional, Union

from ._document import Problem

_Value = Union[str, bytes]

#: The core's capacity classes: name -> (origins, names, bytes).
CAPACITY_CLASSES: dict[str, tuple[int, int, int]]
__version__: str
#: The keys of a version-1 policy document.
DOCUMENT_KEYS: tuple[str, ...]
VERDICT_PROBES: tuple[str, ...]

#: A problem as the native module reports it: (path, code, problem, message, rule, fix).
_ProblemTuple = tuple[str, str, Optional[str], str, str, str]

class ConfigError(ValueError):
    """A configuration the policy refuses (message: entry, rule, fix)."""

    code: str
    problem: Optional[str]
    path: str
    option: Optional[str]
    entry: Optional[str]

class DocumentError(ConfigError):
    """Every problem of a policy document, in document order, as
    ``corsguard.Problem`` values (``path``, ``code``, ``problem``,
    ``message``, ``rule``, ``fix``). The native ``NativePolicy.load`` sets
    them as problem tuples; ``corsguard`` turns them into ``Problem``
    before the error reaches you."""

    errors: list[Problem]

class Decision:
    """The answer to one request."""

    @property
    def kind(self) -> Literal["not_cors", "actual", "preflight", "plain_options"]: ...
    @property
    def outcome(self) -> Literal["not_cors", "allowed", "denied"]: ...
    @property
    def allowed(self) -> bool: ...
    @property
    def reason(self) -> Optional[str]: ...
    @property
    def reason_code(self) -> Optional[str]: ...
    @property
    def reason_detail(self) -> Optional[bytes]: ...
    @property
    def failures(self) -> tuple[str, ...]: ...
    @property
    def action(self) -> Literal["continue", "respond"]: ...
    @property
    def status(self) -> Optional[int]: ...
    @property
    def headers(self) -> list[tuple[str, str]]: ...
    @property
    def raw_headers(self) -> list[tuple[bytes, bytes]]: ...
    @property
    def vary(self) -> Optional[str]: ...
    @property
    def body(self) -> Optional[str]: ...
    @property
    def vary_merge(self) -> Literal["dedup", "join"]: ...

class NativePolicy:
    @staticmethod
    def load(
        document: Union[str, bytes],
        *,
        verdict_probes: int = 0,
        predicate: Optional[Callable[[str], object]] = None,
        names: Literal["document", "starlette"] = "document",
    ) -> NativePolicy: ...
    def evaluate(
        self,
        method: _Value,
        origin: Optional[_Value] = None,
        request_method: Optional[_Value] = None,
        request_headers: Optional[_Value] = None,
        request_private_network: Optional[_Value] = None,
        *,
        origin_verdict: Optional[bool] = None,
        path: Optional[_Value] = None,
    ) -> Decision | None: ...
    def _evaluate_latin1(
        self,
        method: _Value,
        origin: Optional[_Value],
        request_method: Optional[_Value],
        request_headers: Optional[_Value],
        request_private_network: Optional[_Value],
        origin_verdict: Optional[bool],
        path: Optional[_Value] = None,
    ) -> Optional[
        tuple[
            Optional[int],
            list[tuple[bytes, bytes]],
            Optional[bytes],
            # (kind, reason code, reason) when the core refused the request
            Optional[tuple[str, str, str]],
        ]
    ]: ...
    def route(self, path: Optional[_Value] = None) -> Optional[str]: ...
    @property
    def policy_names(self) -> tuple[str, ...]: ...
    @property
    def has_routes(self) -> bool: ...
    @property
    def profile(self) -> str: ...
    @property
    def capacity(self) -> str: ...
    @property
    def findings(self) -> list[_ProblemTuple]: ...
    @property
    def has_origin_predicate(self) -> bool: ...
    @property
    def vary_merge(self) -> str: ...

def merge_vary(mode: str, existing: bytes, tokens: bytes) -> Optional[bytes]: ...

class Answerer:
    """The ASGI middlewares' native request path (``corsguard.asgi``)."""

    def __init__(
        self,
        policy: NativePolicy,
        flavour: Literal["dropin", "policy"],
        fullmatch: Optional[Callable[[str], object]] = None,
        *,
        refusals: bool = False,
        decisions: bool = False,
    ) -> None: ...
    def answer(
        self, scope: Any, send: Callable[[Any], Any]
    ) -> tuple[
        Any,  # the send to hand the app, or the answer's start message
        Optional[dict],  # the answer's body message (None: pass the request on)
        # (kind, reason code, reason, origin, method) when refused and asked for
        Optional[tuple[str, str, str, Any, Any]],
        Optional[Decision],  # when decisions were asked for
    ]: ...
    #: The regex verdict cache's bounds: (slots, longest origin kept in bytes).
    verdict_cache_bounds: tuple[int, int]
    def verdicts_kept(self) -> int: ...

class CorsSend:
    """What ``Answerer.answer`` hands the app as ``send`` (it is called)."""

    def __call__(self, message: Any) -> Any: ...
