"""How the taint fixpoint's rounds spend their CPU on a cold scan, and how much of the last
(confirming) round an exact skip could save: one `aisec check --jobs 1 --no-cache` run in this
process, with `ModuleTaint`'s rounds timed (each round's own time: a round of another module run
inside it, for a project summary, is subtracted and counted as its own).

    python bench/taint_rounds.py ~/.cache/aisec-bench/project/langchain
    python bench/taint_rounds.py --every-round PATH    # the repeated last round run, not skipped

Per round number: the modules that ran it, its CPU, the function analyses and functions, and the
modules whose first round analysed a callee on demand inside its caller. Then the confirming
rounds (the last round of a module, which found nothing changed): their CPU; how many repeat the
round before exactly (every expression's value, sink call, binding, call site, summary, attribute,
global, ...: skipping one of these would keep the findings); and how many of those a proof made
during the round before could find, as `ModuleTaint._round` runs today: that round analysed each
function once, in the order the confirming round would use, with no callee on demand and no
widening (the reads of the round's state must then be checked too: "in that order but not a
repeat" counts the modules where they were not final); and the rounds `_round_repeats` vouched
for, whose repeat is skipped (with `--every-round` it runs, and is among the confirming rounds;
the last row then counts the vouched rounds the next one does not repeat, their records
compared in the next round's order: there must be none).
The table is Markdown, with the load average. It wraps private methods of
`aisec.taint.module`: keep it in step with them.
"""

from __future__ import annotations

import io
import itertools
import os
import sys
import time
from contextlib import redirect_stdout
from types import SimpleNamespace
from typing import Any


def _outputs(taint: Any) -> tuple:
    """What a round leaves behind for the findings and the next round."""
    sink_calls = {
        k: (v.sinks, [(id(a), x) for a, x in v.args], v.receiver) for k, v in taint._sink_calls.items()
    }
    sites = {k: [(id(call), mapping) for call, mapping in v] for k, v in taint._sites.items()}
    return (
        dict(taint._values),
        sink_calls,
        {k: list(v) for k, v in taint._binds.items()},
        {k: list(v) for k, v in taint._foreign_flows.items()},
        set(taint._flow_calls),
        dict(taint._sent_messages),
        sites,
        dict(taint._summaries),
        dict(taint._class_attrs),
        dict(taint._module_env),
        dict(taint._guards),
        dict(taint._mutations),
        {k: list(v) for k, v in taint._registered.items()},
        dict(taint._files),
        list(taint._graph_nodes),
        set(taint._argparse_typed),
        # the order of the records read in order (a round vouched for in another order than the
        # next one's is compared in the next round's order: `_in_next_round_order`)
        [list(getattr(taint, name)) for name in ("_sink_calls", "_flow_calls", "_binds", "_foreign_flows")],
        list(taint._class_attrs),
    )


def next_round_view(taint: Any) -> Any:
    """`taint` as the next round would leave it if it repeats the round just run: the records
    in that round's order (`_round_repeats` made them, for a round run in another order)."""
    ordered = getattr(taint, "_next_order", None)
    return SimpleNamespace(**{**vars(taint), **ordered}) if ordered else taint


def _instrument(module: Any, modules: list[list[dict]]) -> None:
    """Wrap `_round`, `_analyse_queued` and `_widen` to record every round of every module."""
    cls = module.ModuleTaint
    run_round, analyse_queued, widen = cls._round, cls._analyse_queued, cls._widen
    inner: list[float] = []

    def round_(self: Any, *, first: bool = False) -> bool:
        if not hasattr(self, "_bench_rounds"):
            self._bench_rounds = []
            modules.append(self._bench_rounds)
        order = None if first else [func.index for func in self._callee_first()]
        self._bench_trace, self._bench_nested, self._bench_widened = [], False, False
        start = time.process_time()
        inner.append(0.0)
        try:
            changed = run_round(self, first=first)
        finally:
            spent = time.process_time() - start
            nested = inner.pop()
            if inner:
                inner[-1] += spent
        self._bench_rounds.append(
            {
                "cpu": spent - nested,
                "trace": self._bench_trace,
                "nested": self._bench_nested,
                "widened": self._bench_widened,
                "order": order,
                "changed": changed,
                "repeats": (repeats := changed and self._round_repeats()),
                "functions": len(self._function_list),
                "outputs": _outputs(next_round_view(self) if repeats else self),
            }
        )
        return changed

    def queued(self: Any, func: Any) -> None:
        self._bench_nested = self._bench_nested or bool(self._analysing)
        self._bench_trace.append(func.index)
        analyse_queued(self, func)

    def widen_(self: Any, key: Any, old: Any, new: Any) -> Any:
        result = widen(self, key, old, new)
        if result != module.limit_depth(new):  # the widening branch: not the new value itself
            self._bench_widened = True
        return result

    cls._round, cls._analyse_queued, cls._widen = round_, queued, widen_


def main(argv: list[str]) -> int:
    from aisec.taint import module

    if "--every-round" in argv:
        argv = [arg for arg in argv if arg != "--every-round"]
        module.SKIP_REPEATED_ROUND = False
    modules: list[list[dict]] = []
    _instrument(module, modules)
    from aisec.cli import main as aisec_main

    with redirect_stdout(io.StringIO()):
        try:
            aisec_main(["check", "--jobs", "1", "--no-cache", "--format", "json", *argv])
        except SystemExit:
            pass
    print(f"load average {os.getloadavg()[0]:.2f}; {len(modules)} modules analysed\n")
    print("| round | modules | CPU | analyses | functions | on-demand callees |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for number in range(1, max((len(rounds) for rounds in modules), default=0) + 1):
        ran = [rounds[number - 1] for rounds in modules if len(rounds) >= number]
        print(
            f"| {number} | {len(ran)} | {sum(r['cpu'] for r in ran):.2f} s "
            f"| {sum(len(r['trace']) for r in ran):,} | {sum(r['functions'] for r in ran):,} "
            f"| {sum(r['nested'] for r in ran)} |"
        )
    confirming = [rounds[-2:] for rounds in modules if len(rounds) >= 2 and not rounds[-1]["changed"]]
    repeats = [(before, last) for before, last in confirming if last["outputs"] == before["outputs"]]
    ordered = [
        (before, last)
        for before, last in confirming
        if not before["nested"]
        and not before["widened"]
        and before["trace"] == last["order"]
        and len(set(before["trace"])) == len(before["trace"])
    ]
    provable = [(b, last) for b, last in ordered if last["outputs"] == b["outputs"]]
    vouched = [(r, after) for rounds in modules for r, after in itertools.pairwise(rounds) if r["repeats"]]
    broken = [(r, after) for r, after in vouched if not module._same(after["outputs"], r["outputs"])]
    stale = [(b, last) for b, last in ordered if last["outputs"] != b["outputs"]]
    print("\n| confirming rounds | modules | CPU |\n| --- | ---: | ---: |")
    for label, pairs in (
        ("all", confirming),
        ("repeat the round before exactly", repeats),
        ("in that round's order, once each, no widening", ordered),
        ("... and a repeat", provable),
        ("... but not a repeat", stale),
        ("vouched for by `_round_repeats`", [(r, r) for rounds in modules for r in rounds if r["repeats"]]),
        ("... not repeated by the next round (--every-round; must be none)", broken),
    ):
        print(f"| {label} | {len(pairs)} | {sum(last['cpu'] for _, last in pairs):.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
