"""Type stubs for the native extension (import from ``corsguard`` instead)."""

from collections.abc import Callable, Iterable
from typing import Literal, Optional, Pattern, Union

_Value = Union[str, bytes]

DEFAULT_CAPACITY: tuple[int, int, int]
LARGE_CAPACITY: tuple[int, int, int]
VERDICT_PROBES: tuple[str, ...]

class ConfigError(ValueError):
    """A configuration the policy refuses (message: entry, rule, fix)."""

    code: str
    problem: Optional[str]
    option: Optional[str]
    entry: Optional[str]

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

class NativePolicy:
    def __init__(
        self,
        *,
        allowed_origins: Optional[Iterable[str]] = None,
        fixed_origin: Optional[str] = None,
        origin_regex: Union[str, Pattern[str], None] = None,
        origin_predicate: Optional[Callable[[str], object]] = None,
        origin_verdict: bool = False,
        allow_wide_verdict_with_credentials: bool = False,
        allowed_methods: Union[Iterable[str], str, None] = None,
        allowed_headers: Union[Iterable[str], str, None] = None,
        exposed_headers: Union[Iterable[str], str, None] = None,
        credentials: bool = False,
        max_age: Union[int, str, None] = None,
        private_network: bool = False,
        preflight_continue: bool = False,
        preflight_status: int = 204,
        profile: str = "strict",
        capacity: str = "default",
        option_names: Literal["rust", "starlette"] = "rust",
    ) -> None: ...
    def evaluate(
        self,
        method: _Value,
        origin: Optional[_Value] = None,
        request_method: Optional[_Value] = None,
        request_headers: Optional[_Value] = None,
        request_private_network: Optional[_Value] = None,
        *,
        origin_verdict: Optional[bool] = None,
    ) -> Decision: ...
    def _evaluate_latin1(
        self,
        method: _Value,
        origin: Optional[_Value],
        request_method: Optional[_Value],
        request_headers: Optional[_Value],
        request_private_network: Optional[_Value],
        origin_verdict: Optional[bool],
    ) -> tuple[Optional[int], list[tuple[bytes, bytes]], Optional[bytes]]: ...
    @property
    def profile(self) -> str: ...
    @property
    def capacity(self) -> str: ...
    @property
    def origin_verdict(self) -> bool: ...
    @property
    def findings(self) -> list[ConfigError]: ...
    @property
    def has_origin_predicate(self) -> bool: ...
    @property
    def vary_merge(self) -> str: ...

def merge_vary(mode: str, existing: bytes, tokens: bytes) -> Optional[bytes]: ...
