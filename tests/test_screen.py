"""The call screen (`aisec.screen`): candidate names, soundness against the name table, and the
engine changes that came with it (one CPython parse, libcst-order walk, per-statement positions).

Soundness is checked three ways: the name the name table gives every call of generated modules is
among the screen's candidates for that call; every rule's examples and the fixture suites give
the same findings with the screen on and off; and the walk, positions and fix diffs equal what
libcst's own machinery gives on real code.
"""

from __future__ import annotations

import ast
import json
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from aisec import names, screen
from aisec.declarative import build_rule
from aisec.fixes import FixHelper, apply_fixes
from aisec.hooks import Example, Rule
from aisec.pluginmanager import load_plugins
from aisec.plugins.model_loading.references import reference_arguments, reference_items
from aisec.positions import Positions, statement_lines
from aisec.screen import CallScreen, call_candidates, call_names, reference_candidates
from aisec.testing import check_source, example_failures
from aisec.walk import walk
from libcst.metadata import MetadataWrapper, PositionProvider
from test_position_state import as_libcst

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
RULES: dict[str, type[Rule]] = dict(sorted(load_plugins(entry_points=False).rules.items()))
SCREENED = [rule for rule in RULES.values() if rule.qualified_names]


def candidates(source: str) -> list[tuple[str, frozenset[str]]]:
    """(callee as written, candidate names) of each call, in source order."""
    found = call_candidates(ast.parse(textwrap.dedent(source)))
    assert found is not None, "the screen gave up"
    found.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
    return [(ast.unparse(call.func), names_) for call, names_ in found]


def names_of(source: str, callee: str) -> frozenset[str]:
    return frozenset().union(*(found for written, found in candidates(source) if written == callee))


# ----------------------------------------------------------------------------- candidates


def test_import_aliases() -> None:
    source = """
        import numpy as np
        import os.path
        from torch import load as tl
        np.load(p)
        os.path.join(a, b)
        tl(p)
    """
    assert names_of(source, "np.load") == {"numpy.load", "np.load"}
    assert names_of(source, "os.path.join") == {"os.path.join"}
    assert names_of(source, "tl") == {"torch.load", "tl"}


def test_function_local_imports_and_name_aliases() -> None:
    source = """
        def restore(blob):
            import pickle as pk
            loader = pk
            fn = pk.loads
            return loader.loads(blob), fn(blob)
    """
    assert "pickle.loads" in names_of(source, "loader.loads")
    assert "pickle.loads" in names_of(source, "fn")


def test_instances_and_self_attributes() -> None:
    source = """
        import openai
        client = openai.OpenAI()
        client.chat.completions.create(model=m)

        class Bot:
            def __init__(self):
                self.client = openai.OpenAI()
                self.loads = __import__("pickle").loads

            def ask(self):
                return self.client.responses.create(input=x)
    """
    assert "openai.OpenAI.chat.completions.create" in names_of(source, "client.chat.completions.create")
    assert "openai.OpenAI.responses.create" in names_of(source, "self.client.responses.create")


def test_every_binding_of_a_name_counts() -> None:
    source = """
        import json, pickle
        codec = json
        if fast:
            codec = pickle
        codec.loads(data)
    """
    assert {"json.loads", "pickle.loads"} <= names_of(source, "codec.loads")


def test_builtins_and_unresolvable_receivers() -> None:
    source = """
        eval(text)
        MODELS[arch].from_pretrained(path)
        registry.get(name)().from_pretrained(path)
        open(path).read()
    """
    assert names_of(source, "eval") == {"builtins.eval", "eval"}
    assert names_of(source, "MODELS[arch].from_pretrained") == {"?.from_pretrained"}
    assert "registry.get.from_pretrained" in names_of(source, "registry.get(name)().from_pretrained")
    assert "builtins.open.read" in names_of(source, "open(path).read")


def test_alias_cycles_terminate() -> None:
    source = """
        import numpy as np
        a = b
        b = a.x
        x = np.zeros(3)
        for _ in range(9):
            x = x.reshape(3)
            x = x.T
        a.load(x)
        x.copy()
    """
    assert "a.load" in names_of(source, "a.load")
    assert "numpy.zeros.reshape.T.copy" in names_of(source, "x.copy")


def test_star_import_gives_up() -> None:
    tree = ast.parse("from pickle import *\nloads(blob)\n")
    assert call_candidates(tree) is None and call_names(tree) is None
    rule = RULES["AIS101"]
    assert CallScreen([rule]).select(tree, [rule]) == [rule]


def test_depth_limit_matches_the_name_table() -> None:
    assert screen.MAX_DEPTH >= names._MAX_DEPTH


def test_select_keeps_rules_without_patterns_and_drops_the_others() -> None:
    class Always(Rule):
        code, name = "TST901", "always"

        def visit_Call(self, node: Any) -> None:
            pass

    pickle_rule, yaml_rule = RULES["AIS101"], RULES["AIS105"]
    scr = CallScreen([pickle_rule, yaml_rule, Always])
    tree = ast.parse("import yaml\nfrom pickle import loads as l\nl(b)\n")
    assert scr.select(tree, [pickle_rule, yaml_rule, Always]) == [pickle_rule, Always]
    assert scr.select(ast.parse("x = 1\n"), [pickle_rule, yaml_rule]) == []


def test_patterns_with_a_word_count_only_where_the_text_spells_it() -> None:
    ais110 = RULES["AIS110"]  # `langchain*` calls are reported only with the flag passed
    scr = CallScreen([ais110])
    plain = "from langchain_community.vectorstores import FAISS\ndb = FAISS.load_local(p, emb)\n"
    assert scr.select(ast.parse(plain), [ais110], plain) == []
    assert scr.select(ast.parse(plain), [ais110]) == [ais110]  # no text: every condition holds
    flagged = plain.replace("emb)", "emb, allow_dangerous_deserialization=True)")
    assert scr.select(ast.parse(flagged), [ais110], flagged) == [ais110]
    reviver = "from langchain_core.load import loads\nobj = loads(payload)\n"  # no flag needed
    assert scr.select(ast.parse(reviver), [ais110], reviver) == [ais110]
    for source in (plain, flagged, reviver):  # the screen on and off agree
        on = check_source(ais110, source, prefilter=True)
        assert [f.code for f in on] == [f.code for f in check_source(ais110, source, prefilter=False)]
    assert check_source(ais110, plain, prefilter=False) == []


def test_qualified_names_with_must_name_patterns_of_the_rule() -> None:
    bad = type(
        "Bad",
        (RULES["AIS110"],),
        {"code": "TST902", "qualified_names_with": {"word": ("not.a.pattern.of.the.rule",)}},
    )
    assert any("qualified_names_with" in problem for problem in bad.metadata_problems())


def test_shortcuts_do_not_change_the_verdict() -> None:
    """The filtered pass (`Patterns`) selects what the unfiltered candidates select."""
    scr = CallScreen(SCREENED)
    sources = [_generated_module(random.Random(seed)) for seed in range(150)]
    sources += [example.code for rule in SCREENED for example in rule.examples("invalid")]
    for source in sources:
        tree = ast.parse(source)
        full = call_names(tree)
        expected = [r for r in SCREENED if full is None or scr.matches(r, full)]
        assert scr.select(tree, SCREENED) == expected, source


def test_patterns_drop_only_values_no_pattern_can_match() -> None:
    from fnmatch import fnmatchcase

    patterns = [
        "pickle.loads",
        "numpy.lib.format.read_array",
        "transformers.*",
        "langchain*",
        "*.from_pretrained",
    ]
    plan = screen.Patterns(patterns)
    assert plan.last_attrs is None  # `transformers.*` ends in a wildcard
    values = [
        "numpy",
        "numpy.lib",
        "numpy.arange",
        "pickle",
        "picklex",
        "transformers",
        "langchain_core.x",
        "a.b",
    ]
    suffixes = [
        "",
        ".loads",
        ".format.read_array",
        ".lib.format.read_array",
        ".x.from_pretrained",
        ".from_pretrained",
    ]
    for value in values:
        kept = plan.normalise(value)
        for suffix in suffixes:
            original = any(fnmatchcase(value + suffix, p) for p in patterns)
            after = kept is not None and any(fnmatchcase(kept + suffix, p) for p in patterns)
            assert original <= after, (value, suffix, kept)
    assert plan.normalise("numpy.arange") == "?.arange"  # only `*.from_pretrained` could still match
    assert screen.Patterns(["pickle.loads", "numpy.load"]).normalise("numpy.arange") is None
    assert screen.Patterns(["pickle.loads", "numpy.load"]).last_attrs == {"loads", "load"}
    assert screen.Patterns(["a[.]b"]).last_attrs is None


# --------------------------------------------------------- soundness against the name table


class Recorder(Rule):
    """Reports every call with every qualified name the name table may give its callee."""

    code, name, summary = "TST900", "recorder", "every call"

    def visit_Call(self, node: Any) -> None:
        candidates = self.names.candidates(node.func)
        qualified = self.names.qualified(node.func)
        assert qualified is None or candidates[0] == qualified
        self.report(node, repr(candidates))


def assert_sound(source: str) -> int:
    """Every name the name table may give a call's callee at libcst time (and the callee as
    written) is a candidate of the screen."""
    tree = ast.parse(source)
    found = call_candidates(tree)
    if found is None:
        assert "import *" in source or "__import__" in source, f"gave up on:\n{source}"
        return 0
    by_span = {
        (c.lineno, c.col_offset + 1, c.end_lineno, c.end_col_offset + 1): (c, names_) for c, names_ in found
    }
    reports = check_source(Recorder, source)
    assert len(reports) == len(found), source
    for finding in reports:
        loc = finding.location
        call, names_ = by_span[(loc.line, loc.column, loc.end_line, loc.end_column)]
        assert screen.written(call.func) in names_
        for qualified in ast.literal_eval(finding.message):
            assert qualified in names_, (
                f"{qualified!r} not among {sorted(names_)} for line {loc.line}:\n{source}"
            )
    return len(reports)


class ReferenceRecorder(Rule):
    """Reports every function passed uncalled with every qualified name the name table may give it."""

    code, name, summary = "TST902", "reference-recorder", "every reference"

    def visit_Call(self, node: Any) -> None:
        for expr in reference_arguments(node):
            self.report(expr, repr(self.names.candidates(expr)))

    def visit_Parameters(self, node: Any) -> None:
        for param in (*node.params, *node.kwonly_params, *node.posonly_params):
            for expr in reference_items(param.default) if param.default is not None else ():
                self.report(expr, repr(self.names.candidates(expr)))


def assert_references_sound(source: str) -> int:
    """Every name the name table may give a function passed uncalled is a candidate of the screen."""
    found = reference_candidates(ast.parse(source))
    if found is None:
        return 0
    by_span = {
        (r.lineno, r.col_offset + 1, r.end_lineno, r.end_col_offset + 1): names_ for r, names_ in found
    }
    reports = check_source(ReferenceRecorder, source)
    for finding in reports:
        loc = finding.location
        names_ = by_span[(loc.line, loc.column, loc.end_line, loc.end_column)]
        for qualified in ast.literal_eval(finding.message):
            assert qualified in names_, (
                f"{qualified!r} not among {sorted(names_)} at line {loc.line}:\n{source}"
            )
    return len(reports)


SNIPPETS = [
    "try:\n    import torch\nexcept ImportError:\n    import torch_npu as torch\ntorch.load(p)\n",
    "import torch\nif npu:\n    import torch_npu as torch\nelif x:\n    t = torch\n    torch = t.cuda\ntorch.load(p)\n",
    "import pickle as pk\nobj = pk.loads(payload)\n",
    "from pickle import loads as decode\nobj = decode(payload)\n",
    "import pickle\nserializer = pickle\nobj = serializer.loads(data)\n",
    "def restore(blob):\n    import pickle\n    return pickle.loads(blob)\n",
    "import pickle\n\ndef f(pickle):\n    return pickle.loads(x)\n",
    "import torch\nloader = torch\nobj = loader.load(path)\n",
    "import torch as t\nm = t.nn.Linear(2, 2)\nm.load_state_dict(t.load(p))\n",
    "import openai\nc = openai.OpenAI()\nr = c.chat.completions.create(model=m)\n",
    "import openai\n\nclass A:\n    def __init__(self):\n        self.c = openai.OpenAI()\n        self.d = self.c\n\n"
    "    def go(self):\n        return self.d.chat.completions.create()\n",
    "import json, pickle\nx = json\nx.loads(a)\nx = pickle\nx.loads(b)\n\ndef g():\n    x.loads(c)\n",
    "from a.b import c as d\nimport e.f.g as h\nd.x(h.y(d))\n",
    "import numpy as np\nx = np.zeros(3)\nx = x.reshape(3)\nx = x.T\nx.copy()\n",
    "class K:\n    import pickle\n    def m(self):\n        return pickle.loads(b)\n",
    "import yaml\nwith open(p) as f, yaml.Loader(f) as y:\n    y.get_data()\n",
    "from . import models\nfrom .models import load\nload(models.x())\n",
    "import pickle\nloads = pickle.loads if fast else None\nloads(b)\n",
    "def outer():\n    import pickle as p\n    def inner():\n        return p.loads(b)\n    return inner\n",
    "import pickle\n(lambda pickle: pickle.loads(b))(None)\n[pickle.loads(x) for pickle in range(3)]\n",
    "import torch\n@torch.no_grad()\ndef f():\n    pass\n\nclass M(torch.nn.Module):\n    pass\n",
    "import pickle\nfs = [pickle.load]\nfs[0](f)\nf'{pickle.loads(b)}'\n",
    "from transformers import AutoModel\nAUTO = {'a': AutoModel}\nAUTO['a'].from_pretrained(p)\n",
    "import transformers\nauto = transformers.AutoTokenizer\ntok = auto.from_pretrained(name)\n",
    "self = __import__('x')\nself.y()\n",
    "import os\nx: os.PathLike = os.path\nx.join(a)\ny: int\n(z := os.path).exists(p)\n",
    "import pickle\nloader = getattr(pickle, 'loads')\nloader(b)\ngetattr(pickle, 'load', None)(f)\n",
    "import pickle\ngetattr = lambda o, n: print\ngetattr(pickle, 'loads')(b)\n",
]


# functions passed uncalled (each snippet passes at least one)
REFERENCE_SNIPPETS = [
    "import pickle\nregister(pickle.loads)\n",
    "from pickle import loads as l\nCodec(decode=l, hooks=[l, print], table={'k': l})\n",
    "try:\n    import torch\nexcept ImportError:\n    import torch_npu as torch\nTrainer(callbacks=(torch.load,))\n",
    "import yaml\nclass A:\n    def __init__(self):\n        self.l = yaml.load\n    def f(self):\n        g(self.l)\n",
    "import pickle\nregister({'codecs': [(pickle.loads, {'deep': [pickle.load]})]})\n",
    "import pickle\nimport torch as t\n\ndef f(a, r=pickle.load, *, l=[t.load]):\n    pass\n\ng = lambda x, d=pickle.loads: d(x)\n",
]


@pytest.mark.parametrize(
    "source", SNIPPETS + REFERENCE_SNIPPETS, ids=range(len(SNIPPETS + REFERENCE_SNIPPETS))
)
def test_snippets_are_sound(source: str) -> None:
    assert assert_sound(source) > 0
    references = assert_references_sound(source)
    assert source not in REFERENCE_SNIPPETS or references > 0


def _generated_module(rng: random.Random) -> str:
    """A module of imports, aliases, instances, classes with `self` attributes, nested functions
    and rebinding, over few names so that scopes and bindings collide."""
    modules = ["pickle", "numpy", "torch", "os.path", "json", "yaml", "transformers", "a.b.c"]
    pool = ["a", "b", "c", "np", "pickle", "torch", "x", "loads", "load", "m", "self"]
    attrs = ["load", "loads", "x", "chat", "create", "from_pretrained", "path", "T"]

    def dotted(depth: int = 0) -> str:
        parts = [rng.choice(pool)]
        for _ in range(rng.randint(0, 3)):
            roll = rng.random()
            if roll < 0.6:
                parts.append("." + rng.choice(attrs))
            elif roll < 0.8:
                parts.append("()")
            elif roll < 0.9:
                parts.append("[0]")
            else:
                parts.append(f"({dotted(depth + 1)})" if depth < 2 else "(1)")
        return "".join(parts)

    def statement(indent: str, depth: int, in_class: bool, in_method: bool) -> list[str]:
        roll = rng.random()
        if roll < 0.12:
            module = rng.choice(modules)
            form = rng.randrange(3)
            if form == 0:
                return [f"{indent}import {module}"]
            if form == 1:
                return [f"{indent}import {module} as {rng.choice(pool[:-1])}"]
            head, _, last = module.rpartition(".")
            head, last = (head, last) if head else (module, rng.choice(attrs))
            return [f"{indent}from {head} import {last} as {rng.choice(pool[:-1])}"]
        if roll < 0.3:
            return [f"{indent}{rng.choice(pool[:-1])} = {dotted()}"]
        if roll < 0.36:
            return [f"{indent}{rng.choice(pool[:-1])}, {rng.choice(pool[:-1])} = {dotted()}, 1"]
        if roll < 0.44 and in_method:
            return [f"{indent}self.{rng.choice(attrs)} = {dotted()}"]
        if roll < 0.52:
            return [f"{indent}{dotted()}({dotted()})"]
        if roll < 0.58:  # functions passed uncalled, also in literals
            return [f"{indent}{dotted()}([{dotted()}, {dotted()}], k={{'a': {dotted()}}})"]
        if roll < 0.62:
            return [f"{indent}with {dotted()}() as {rng.choice(pool[:-1])}:", f"{indent}    {dotted()}()"]
        if roll < 0.66:
            return [f"{indent}for {rng.choice(pool[:-1])} in {dotted()}:", f"{indent}    {dotted()}()"]
        if roll < 0.7:
            return [f"{indent}if ({rng.choice(pool[:-1])} := {dotted()}):", f"{indent}    {dotted()}()"]
        if depth >= 2:
            return [f"{indent}{dotted()}()"]
        if roll < 0.76:  # a name bound on several paths
            head, other = rng.choice([("try:", "except ImportError:"), (f"if {dotted()}:", "else:")])
            body = [f"{indent}{head}"]
            for _ in range(rng.randint(1, 2)):
                body += statement(indent + "    ", depth + 1, in_class, in_method)
            body.append(f"{indent}{other}")
            for _ in range(rng.randint(1, 2)):
                body += statement(indent + "    ", depth + 1, in_class, in_method)
            return body
        if roll < 0.85:
            name = "__init__" if in_class and rng.random() < 0.5 else rng.choice(["f", "g", "load"])
            params = "self, " if in_class else ""
            params += ", ".join(rng.sample(pool[:-1], rng.randint(0, 2)))
            body = [f"{indent}def {name}({params.rstrip(', ')}):"]
            for _ in range(rng.randint(1, 4)):
                body += statement(indent + "    ", depth + 1, False, in_class)
            return body
        body = [f"{indent}class {rng.choice(['A', 'B'])}({rng.choice(['object', dotted()])}):"]
        for _ in range(rng.randint(1, 3)):
            body += statement(indent + "    ", depth + 1, True, False)
        return body

    lines: list[str] = []
    for _ in range(rng.randint(4, 14)):
        lines += statement("", 0, False, False)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("batch", range(6))
def test_generated_modules_are_sound(batch: int) -> None:
    calls = references = 0
    for seed in range(batch * 60, (batch + 1) * 60):
        source = _generated_module(random.Random(seed))
        ast.parse(source)  # the generator writes valid Python
        calls += assert_sound(source)
        references += assert_references_sound(source)
    assert calls > 300 and references > 300


# -------------------------------------------------- the rules: screen on and off, same findings


def _findings(source: str, example: Example, prefilter: bool) -> list[tuple[Any, ...]]:
    found = check_source(
        list(RULES.values()),
        source,
        options=example.options,
        files=example.files,
        filename=example.filename,
        prefilter=prefilter,
    )
    # (the temporary project differs between the two runs: paths and fingerprints do too)
    return sorted(
        (f.code, *astuple_location(f), re.sub(r"aisec-example-[^/\\]+", "<tmp>", f.message), f.severity)
        for f in found
    )


def astuple_location(finding: Any) -> tuple[int, int, int, int]:
    loc = finding.location
    return (loc.line, loc.column, loc.end_line, loc.end_column)


EXAMPLES = [
    (f"{code}-{kind}-{index}", example)
    for code, rule in RULES.items()
    for kind in ("invalid", "valid")
    for index, example in enumerate(rule.examples(kind))
]


@pytest.mark.parametrize("example", [e for _, e in EXAMPLES], ids=[i for i, _ in EXAMPLES])
def test_examples_give_the_same_findings_with_the_screen(example: Example) -> None:
    assert _findings(example.code, example, True) == _findings(example.code, example, False)


def test_invalid_examples_pass_the_screen_of_their_rule() -> None:
    for rule in SCREENED:
        scr = CallScreen([rule])
        for example in rule.examples("invalid"):
            assert scr.select(ast.parse(example.code), [rule]) == [rule], (rule.code, example.code)


def test_assert_examples_catches_patterns_that_miss_the_reported_calls() -> None:
    class Misdeclared(Rule):
        code, name, summary = "TST902", "misdeclared", "pickle.loads, declared as json.loads"
        triggers = ("pickle",)
        qualified_names = ("json.loads",)
        invalid = ("import pickle\npickle.loads(b)\n",)

        def visit_Call(self, node: Any) -> None:
            if self.names.qualified(node.func) == "pickle.loads":
                self.report(node, "unpickles")

    (failure,) = example_failures(Misdeclared)
    assert "does not pass the call screen" in failure and "pickle.loads" in failure


@pytest.mark.parametrize(
    "folder",
    [DATA / "ml_scripts_a", DATA / "ml_scripts_b", DATA / "llm_apps", REPO / "examples"],
    ids=lambda p: p.name,
)
def test_fixture_suites_give_the_same_findings_with_the_screen(folder: Path, run_cli) -> None:
    if not folder.is_dir():
        pytest.skip(f"{folder} is not here")

    def run(*extra: str) -> list[tuple[Any, ...]]:
        result = run_cli(["check", "--no-cache", "--format", "json", *extra, "."], cwd=folder)
        data = result.json()
        assert data["errors"] == []
        return sorted((f["path"], f["code"], f["line"], f["column"], f["message"]) for f in data["findings"])

    with_screen, without = run(), run("--no-prefilter")
    assert with_screen == without and with_screen


def test_declarative_rule_declares_its_pattern() -> None:
    rule = build_rule({"code": "ACME001", "call": "acme.models.*.load", "message": "no"}, 0)
    assert rule.qualified_names == ("acme.models.*.load",)
    source = "from acme import models as m\nm.bert.load(path)\n"
    assert CallScreen([rule]).select(ast.parse(source), [rule]) == [rule]
    assert CallScreen([rule]).select(ast.parse("import acme\nacme.load(p)\n"), [rule]) == []
    assert [f.code for f in check_source(rule, source, prefilter=True)] == ["ACME001"]


# ------------------------------------------------------------------------------- the engine


def _run_json(root: Path, *args: str) -> dict:
    code = textwrap.dedent(
        f"""
        import json, sys
        from aisec.cli import main
        main(["check", "--no-cache", "--format", "json", *{list(args)!r}])
        print("LIBCST", "libcst" in sys.modules, file=sys.stderr)
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=60
    )
    data = json.loads(completed.stdout)
    data["libcst"] = "LIBCST True" in completed.stderr
    return data


def test_token_gate_without_candidate_call_is_not_parsed(tmp_path: Path) -> None:
    # `pickle` and `numpy` pass the token gate; no call can be one the rules report.
    (tmp_path / "app.py").write_text(
        "import numpy as np\nimport pickle  # pickle.loads is banned here\n\n"
        "arr = np.zeros(3)\nblob = pickle.dumps(arr)\n",
        encoding="utf-8",
    )
    data = _run_json(tmp_path, "app.py")
    assert data["summary"]["parsed"] == 0 and data["summary"]["skipped_by_prefilter"] == 1
    assert data["findings"] == [] and data["libcst"] is False
    # `--no-prefilter` turns the screen off too
    data = _run_json(tmp_path, "--no-prefilter", "app.py")
    assert data["summary"]["parsed"] == 1


def test_star_import_file_is_parsed(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("from pickle import *\n\nobj = loads(blob)\n", encoding="utf-8")
    data = _run_json(tmp_path, "app.py")
    assert data["summary"]["parsed"] == 1 and data["libcst"] is True


def test_screened_file_with_syntax_error_is_still_reported(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import pickle\ndef f(:\n    pickle.loads(b)\n", encoding="utf-8")
    data = _run_json(tmp_path, "app.py")
    assert [f["code"] for f in data["findings"]] == ["AIS001"]


# ------------------------------------------- walk order and positions against libcst itself


def _real_sources() -> list[Path]:
    paths = sorted((REPO / "scanner").glob("*.py")) + sorted((REPO / "plugins").rglob("*.py"))
    return paths + sorted(DATA.rglob("*.py"))


def _walk_events(module: cst.Module) -> list[tuple[str, int]]:
    events: list[tuple[str, int]] = []
    walk(module, lambda n: events.append(("visit", id(n))), lambda n: events.append(("leave", id(n))))
    return events


def _calls_with_statements(module: cst.Module) -> list[tuple[cst.Call, tuple[cst.CSTNode, ...]]]:
    """Every call with the statements that hold it (as the engine's dispatcher tracks them)."""
    stack: list[cst.CSTNode] = []
    calls: list[tuple[cst.Call, tuple[cst.CSTNode, ...]]] = []

    def enter(node: cst.CSTNode) -> None:
        if type(node) in names.STATEMENT_TYPES:
            stack.append(node)
        if isinstance(node, cst.Call):
            calls.append((node, tuple(stack)))

    def leave(node: cst.CSTNode) -> None:
        if type(node) in names.STATEMENT_TYPES:
            stack.pop()

    walk(module, enter, leave)
    return calls


class RecordingVisitor(cst.CSTVisitor):
    """libcst's own traversal, as (event, id(node)): what `aisec.walk` must reproduce."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, int]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", id(node)))
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", id(original_node)))


def test_walk_visits_like_libcst() -> None:
    sources = [p.read_text(encoding="utf-8") for p in _real_sources()]
    sources.append(
        "x = f'{a!r:>{width}} {b=}'\ny = f'{c}'\nmatch p:\n    case [1, *rest] if rest:\n        pass\n"
    )
    for source in sources:
        module = cst.parse_module(source)
        expected = RecordingVisitor()
        module.visit(expected)
        assert _walk_events(module) == expected.events


def test_positions_and_fix_diffs_equal_libcst() -> None:
    helper = FixHelper()
    checked = fixed = 0
    for path in _real_sources():
        text = path.read_text(encoding="utf-8")
        module = cst.parse_module(text)
        whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        positions = Positions(module, text, statement_lines(ast.parse(text).body))
        diffs = 0
        for index, (node, statements) in enumerate(_calls_with_statements(module)):
            assert as_libcst(positions.get(node, statements)) == whole[node]
            assert as_libcst(positions.get(statements[-1], statements)) == whole[statements[-1]]
            checked += 1
            if index % 7 or diffs == 1:
                continue  # a diff costs a transform of the whole module: a few per file
            fix = helper.add_keyword(node, "weights_only", "True")
            after = positions.fixed_text(statements, fix)
            if after is not None:
                assert after == apply_fixes(module, [fix])
                fixed += 1
                diffs += 1
    assert checked > 1000 and fixed > 40


def test_positions_of_nodes_outside_the_statements_given() -> None:
    """A taint finding's steps are asked for with the sink's statements: each is found in the
    statements that do hold it, without generating the whole module, and is where libcst says."""
    checked = 0
    for path in _real_sources():
        text = path.read_text(encoding="utf-8")
        module = cst.parse_module(text)
        whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        positions = Positions(module, text, statement_lines(ast.parse(text).body))
        calls = _calls_with_statements(module)
        for (node, _), (_, elsewhere) in zip(calls, calls[1:] + calls[:1], strict=True):
            assert as_libcst(positions.get(node, elsewhere)) == whole[node]
            checked += 1
        parameters = [node for node in whole if isinstance(node, cst.Param)]
        for node in parameters:
            assert as_libcst(positions.get(node, calls[0][1] if calls else ())) == whole[node]
        assert positions._whole is None, path
    assert checked > 1000


ESCAPED_NAMES = {
    "hex escape in getattr": ('getattr(os, "sy\\x73tem")(out)', "AIS301"),
    "unicode escape": ('getattr(os, "sy\\u0073tem")(out)', "AIS301"),
    "long unicode escape": ('getattr(os, "sy\\U00000073tem")(out)', "AIS301"),
    "named escape": ('getattr(os, "sy\\N{LATIN SMALL LETTER S}tem")(out)', "AIS301"),
    "octal escape": ('getattr(os, "\\163ystem")(out)', "AIS301"),
}
ESCAPE_HEADER = """\
import os
import pickle
from openai import OpenAI
client = OpenAI()
out = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "x"}]).choices[0].message.content
"""


@pytest.mark.parametrize("name", ESCAPED_NAMES)
def test_a_name_hidden_in_a_string_escape_passes_the_token_gate(name: str) -> None:
    """The engine reads a literal's value, so the gate must see `"sy\\x73tem"` as `system`: with
    the prefilter on, an attacker's escape must not hide what `--no-prefilter` reports."""
    line, code = ESCAPED_NAMES[name]
    source = ESCAPE_HEADER + line + "\n"
    rules = list(RULES.values())
    off = sorted((f.code, f.location.line) for f in check_source(rules, source, prefilter=False))
    assert (code, 6) in off
    assert sorted((f.code, f.location.line) for f in check_source(rules, source, prefilter=True)) == off


def test_a_pickle_call_hidden_in_an_escape_passes_the_token_gate() -> None:
    source = 'import pickle\ndata = open("m.pkl", "rb").read()\ngetattr(pickle, "lo\\x61ds")(data)\n'
    rules = list(RULES.values())
    assert [f.code for f in check_source(rules, source, prefilter=True)] == ["AIS101"]


def test_escapes_only_add_text_to_what_the_gate_searches() -> None:
    from aisec.prefilter import searchable

    plain = 'x = "\\\\x" + "no escape here"\nprint("\\n")\n'
    assert searchable("y = 1\n") == "y = 1\n"
    assert searchable(plain).startswith(plain)
    assert "system" in searchable('s = "sy\\x73tem" + "\\N{NO SUCH NAME}" + "\\777"')
