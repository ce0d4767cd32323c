"""fickling as a second opinion: names the imports and calls of a (normalized) pickle stream.

fickling never decides the verdict (its severities flag every torch file and its blocklist flags
benign joblib/numpy/uuid globals); it contributes names the walker might have missed. Every call
is made with stdout and stderr redirected (fickling prints warnings), and any exception, including
RecursionError on deep nesting, becomes `error` instead of escaping.
"""

from __future__ import annotations

import _compat_pickle
import ast
import contextlib
import io
import warnings
from dataclasses import dataclass, field

# fickling interprets ~4-6 us per opcode; above this the walker alone judges the stream.
MAX_OPCODES = 1_000_000
SECONDS_PER_OPCODE = 10e-6


@dataclass
class FicklingView:
    imports: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    severity: str | None = None
    results: list[str] = field(default_factory=list)
    error: str | None = None
    skipped: str | None = None


def _mapped(module: str, name: str) -> str:
    """fickling names globals as written; the unpickler maps Python 2 names (walker does too)."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    return f"{module}.{name}"


def analyse(data: bytes | bytearray, opcodes: int, time_left: float) -> FicklingView:
    """Run fickling on a complete, normalized stream; skip when it would not fit the budget."""
    if opcodes > MAX_OPCODES:
        return FicklingView(skipped=f"{opcodes} opcodes: above fickling's budget, walker only")
    if opcodes * SECONDS_PER_OPCODE > time_left:
        return FicklingView(skipped="not enough time left for fickling, walker only")
    sink = io.StringIO()
    view = FicklingView()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from fickling.analysis import check_safety
            from fickling.fickle import Pickled

            pickled = Pickled.load(bytes(data), fail_on_decode_error=False)
            aliases: dict[str, str] = {}
            for node in pickled.properties.imports:
                if isinstance(node, ast.ImportFrom) and node.module:
                    for alias in node.names:
                        full = _mapped(node.module, alias.name)
                        aliases[alias.asname or alias.name] = full
                        if full not in view.imports:
                            view.imports.append(full)
            for call in pickled.properties.calls:
                func = call.func
                if isinstance(func, ast.Name) and func.id in aliases:
                    target = aliases[func.id]
                    if target not in view.calls:
                        view.calls.append(target)
            results = check_safety(pickled)
            view.severity = getattr(results.severity, "name", str(results.severity))
            view.results = [str(r) for r in results.results if str(r)][:20]
    except Exception as exc:  # fickling is best effort: the walker has already judged the stream
        view.error = f"{type(exc).__name__}: {exc}"[:300]
    return view
