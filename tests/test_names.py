"""Qualified-name resolution (`names.qualified`), seen through a rule as a plugin would see it."""

from __future__ import annotations

import textwrap
from typing import Any, ClassVar

import libcst as cst
import pytest
from aisec.hooks import Rule
from aisec.names import NameTable
from aisec.testing import check_source


class RecordCalls(Rule):
    """Records `(callee source, qualified name)` for every call, in traversal order."""

    code = "TST001"
    name = "record-calls"
    seen: ClassVar[list[tuple[str, str | None]]] = []

    def visit_Call(self, node: Any) -> None:
        RecordCalls.seen.append((cst.Module([]).code_for_node(node.func), self.names.qualified(node.func)))


def calls(source: str) -> list[tuple[str, str | None]]:
    RecordCalls.seen = []
    assert check_source(RecordCalls, textwrap.dedent(source)) == []
    return list(RecordCalls.seen)


def resolved(source: str, callee: str) -> list[str | None]:
    """Qualified names of every call whose callee is spelled `callee`, in order."""
    found = [q for text, q in calls(source) if text == callee]
    assert found, f"no call to {callee} in the source"
    return found


@pytest.mark.parametrize(
    ("source", "callee", "expected"),
    [
        ("import numpy as np\nnp.load(p)\n", "np.load", "numpy.load"),
        ("import numpy\nnumpy.load(p)\n", "numpy.load", "numpy.load"),
        ("from x import y as z\nz()\n", "z", "x.y"),
        ("from a.b import c\nc.d()\n", "c.d", "a.b.c.d"),
        ("import os.path as osp\nosp.join(a, b)\n", "osp.join", "os.path.join"),
        ("import os.path\nos.path.join(a, b)\n", "os.path.join", "os.path.join"),
        ("import pickle\nm = pickle\nm.loads(b)\n", "m.loads", "pickle.loads"),
        ("from pickle import loads\nf = loads\nf(b)\n", "f", "pickle.loads"),
        (
            "import openai\nc = openai.OpenAI()\nc.chat.completions.create(model=m)\n",
            "c.chat.completions.create",
            "openai.OpenAI.chat.completions.create",
        ),
        (
            "from openai import OpenAI\nOpenAI().chat.completions.create()\n",
            "OpenAI().chat.completions.create",
            "openai.OpenAI.chat.completions.create",
        ),
        ("eval(s)\n", "eval", "builtins.eval"),
        ("open(p)\n", "open", "builtins.open"),
        ("undefined_thing(1)\n", "undefined_thing", None),
        ("undefined_thing.attr(1)\n", "undefined_thing.attr", None),
        ("from . import helpers\nhelpers.load(p)\n", "helpers.load", None),
        ("from .models import load\nload(p)\n", "load", None),
        ("from ..pkg import pickle\npickle.loads(b)\n", "pickle.loads", None),
        ("def load(p):\n    pass\nload(p)\n", "load", None),
        ("import yaml as y, json\ny.load(s)\n", "y.load", "yaml.load"),
    ],
)
def test_module_level_resolution(source: str, callee: str, expected: str | None) -> None:
    assert resolved(source, callee) == [expected]


def test_function_local_import() -> None:
    source = """
        def restore(blob):
            import pickle as pk
            return pk.loads(blob)

        pk.loads(blob)
    """
    assert resolved(source, "pk.loads") == ["pickle.loads", None]


def test_function_sees_module_import() -> None:
    source = """
        import pickle

        def restore(blob):
            return pickle.loads(blob)
    """
    assert resolved(source, "pickle.loads") == ["pickle.loads"]


def test_parameter_shadows_import() -> None:
    source = """
        import pickle

        def f(pickle, *args, **kwargs):
            return pickle.loads(x)

        def g(x, *, pickle=None):
            return pickle.loads(x)

        def h(*pickle):
            return pickle.loads(x)

        pickle.loads(x)
    """
    assert resolved(source, "pickle.loads") == [None, None, None, "pickle.loads"]


def test_local_assignment_shadows_import() -> None:
    source = """
        import pickle

        def f():
            pickle = make()
            return pickle.loads(x)
    """
    assert resolved(source, "pickle.loads") == [None]


def test_loop_and_with_targets_shadow() -> None:
    source = """
        import pickle
        for pickle in things:
            pickle.loads(x)
    """
    assert resolved(source, "pickle.loads") == [None]


def test_instance_through_self_attribute_set_in_init() -> None:
    source = """
        import openai

        class Bot:
            def __init__(self, key):
                self.client = openai.OpenAI(api_key=key)
                self.codec = __import__("json")

            def ask(self, prompt):
                return self.client.chat.completions.create(messages=prompt)
    """
    assert resolved(source, "self.client.chat.completions.create") == [
        "openai.OpenAI.chat.completions.create"
    ]


def test_self_attribute_from_init_parameter_is_unknown() -> None:
    source = """
        import pickle

        class Loader:
            def __init__(self, pickle):
                self.codec = pickle

            def load(self, blob):
                return self.codec.loads(blob)
    """
    assert resolved(source, "self.codec.loads") == [None]


def test_rebinding_is_ordinal() -> None:
    source = """
        import yaml
        from ruamel.yaml import YAML

        first = yaml.load(text)
        yaml = YAML()
        second = yaml.load(text)
    """
    assert resolved(source, "yaml.load") == ["yaml.load", "ruamel.yaml.YAML.load"]
    assert resolved(source, "YAML") == ["ruamel.yaml.YAML"]


def test_rebinding_inside_function_is_ordinal() -> None:
    source = """
        import pickle

        def f():
            pickle.loads(x)
            pickle = make_codec()
            pickle.loads(x)

        def g():
            import json as pickle
            return pickle.loads(x)

        pickle.loads(x)
    """
    assert resolved(source, "pickle.loads") == [None, None, "json.loads", "pickle.loads"]


def test_class_body_names_not_visible_in_methods() -> None:
    source = """
        class Store:
            import pickle

            loads = pickle.loads

            def restore(self, blob):
                return pickle.loads(blob)
    """
    assert resolved(source, "pickle.loads") == [None]


def test_class_body_names_visible_in_class_body() -> None:
    source = """
        class Store:
            import pickle
            data = pickle.loads(blob)
    """
    assert resolved(source, "pickle.loads") == ["pickle.loads"]


def test_nested_function_sees_enclosing_function_import() -> None:
    source = """
        def outer():
            import dill

            def inner(b):
                return dill.loads(b)

            return inner
    """
    assert resolved(source, "dill.loads") == ["dill.loads"]


def test_alias_chain_and_cycle_terminate() -> None:
    source = """
        import pickle
        a = pickle
        b = a
        c = b
        c.loads(x)
        p = q
        q = p
        p.loads(x)
    """
    assert resolved(source, "c.loads") == ["pickle.loads"]
    assert resolved(source, "p.loads") == [None]


def test_name_table_direct_use_at_module_scope() -> None:
    module = cst.parse_module("import numpy as np\nfrom torch import load as tl\n")
    table = NameTable(module)
    assert table.qualified(cst.parse_expression("np.load")) == "numpy.load"
    assert table.qualified(cst.parse_expression("tl")) == "torch.load"
    assert table.qualified(cst.parse_expression("nope.load")) is None
    assert table.qualified(cst.parse_expression("len")) == "builtins.len"
    assert table.qualified(cst.parse_expression("f(x)[0]")) is None


def test_one_line_suites() -> None:
    source = """
        def f(b): import pickle as p; return p.loads(b)
        if ready: import dill as d; d.loads(x)
    """
    assert resolved(source, "p.loads") == ["pickle.loads"]
    assert resolved(source, "d.loads") == ["dill.loads"]


def test_with_and_except_targets_shadow() -> None:
    source = """
        import pickle, marshal
        with open(p) as pickle:
            pickle.loads(x)
        try:
            pass
        except Exception as marshal:
            marshal.loads(x)
    """
    assert resolved(source, "pickle.loads") == ["builtins.open.loads"]  # a method of the file
    assert resolved(source, "marshal.loads") == [None]


def test_conditional_imports_resolve() -> None:
    source = """
        try:
            import cPickle as pickle
        except ImportError:
            import pickle
        pickle.load(f)
    """
    assert resolved(source, "pickle.load") == ["pickle.load"]


# ------------------------------------------------- objects a call returned are not the factory


def test_instance_in_a_local_is_not_the_factory() -> None:
    source = """
        import torch
        from transformers import AutoTokenizer
        tok = AutoTokenizer.from_pretrained("org/tok")
        ids = tok(text)
        m = torch.hub.load("owner/repo", "resnet")
        y = m(x)
        z = torch.hub.load("owner/repo", "resnet")(x)
        tok.decode(ids)
    """
    assert resolved(source, "tok") == [None]
    assert resolved(source, "m") == [None]
    assert resolved(source, 'torch.hub.load("owner/repo", "resnet")') == [None]
    assert resolved(source, "torch.hub.load") == ["torch.hub.load", "torch.hub.load"]
    # its attributes still live under the factory, so clients' methods keep resolving
    assert resolved(source, "tok.decode") == ["transformers.AutoTokenizer.from_pretrained.decode"]


def test_instance_in_a_self_attribute_is_not_the_factory() -> None:
    source = """
        import openai
        from transformers import AutoModel

        class Encoder:
            def __init__(self):
                self.model = AutoModel.from_pretrained("org/enc")
                self.client = openai.OpenAI()
                self.factory = AutoModel.from_pretrained

            def encode(self, x):
                self.factory("org/other")
                self.client.chat.completions.create(messages=x)
                return self.model(x)
    """
    assert resolved(source, "self.model") == [None]
    assert resolved(source, "self.factory") == ["transformers.AutoModel.from_pretrained"]
    assert resolved(source, "self.client.chat.completions.create") == [
        "openai.OpenAI.chat.completions.create"
    ]


def test_instance_returned_from_a_helper_is_not_the_factory() -> None:
    source = """
        from transformers import AutoTokenizer
        from helpers import load_tokenizer

        def get_tokenizer():
            return AutoTokenizer.from_pretrained("org/tok")

        a = get_tokenizer()
        a(text)
        b = load_tokenizer()
        b(text)
    """
    assert resolved(source, "a") == [None]
    assert resolved(source, "b") == [None]


def test_returned_by_names_the_factory() -> None:
    module = cst.parse_module(
        "import os\nfrom transformers import AutoModel\n"
        "m = AutoModel.from_pretrained('org/m')\np = os.path.join(a, b)\nalias = AutoModel\n"
    )
    table = NameTable(module)
    assert table.returned_by(cst.parse_expression("m")) == "transformers.AutoModel.from_pretrained"
    assert table.returned_by(cst.parse_expression("p")) == "os.path.join"
    assert table.returned_by(cst.parse_expression("AutoModel()")) == "transformers.AutoModel"
    assert table.returned_by(cst.parse_expression("alias")) is None
    assert table.qualified(cst.parse_expression("alias.from_pretrained")) == (
        "transformers.AutoModel.from_pretrained"
    )


# ------------------------------------------------- names bound on several paths


def test_optional_import_with_a_none_fallback_resolves_to_the_module() -> None:
    source = """
        try:
            import torch
        except ImportError:
            torch = None

        if HAS_YAML:
            import yaml
        else:
            yaml = None

        def restore(path):
            return torch.load(path)

        torch.load(p)
        yaml.load(s)
    """
    assert resolved(source, "torch.load") == ["torch.load", "torch.load"]
    assert resolved(source, "yaml.load") == ["yaml.load"]


def test_fallback_that_is_another_module_wins_only_when_it_resolves() -> None:
    source = """
        try:
            import ujson as json
        except ImportError:
            import json
        json.loads(s)
        try:
            from hub import download
        except ImportError:
            download = None
        download(x)
        if fast:
            loader = None
        loader(x)
    """
    assert resolved(source, "json.loads") == ["json.loads"]
    assert resolved(source, "download") == ["hub.download"]
    assert resolved(source, "loader") == [None]  # no branch binds it to anything


def test_a_none_after_the_branch_is_not_an_alternative() -> None:
    source = """
        try:
            import torch
        except ImportError:
            pass
        torch = None
        torch.load(p)
    """
    assert resolved(source, "torch.load") == [None]


# ------------------------------------------------- well-known modules used without an import


def test_unimported_well_known_modules_are_assumed() -> None:
    source = """
        data = pickle.loads(blob)
        cfg = yaml.load(text)
        arr = numpy.load(p)
        thing = somelib.load(p)
    """
    assert resolved(source, "pickle.loads") == ["pickle.loads"]
    assert resolved(source, "yaml.load") == ["yaml.load"]
    assert resolved(source, "numpy.load") == ["numpy.load"]
    assert resolved(source, "somelib.load") == [None]


def test_a_module_name_bound_anywhere_is_not_assumed() -> None:
    source = """
        def helper(pickle):
            return pickle

        pickle.loads(blob)
    """
    assert resolved(source, "pickle.loads") == [None]


def test_instances_and_assumed_modules_compare_identifiers_as_python_does() -> None:
    source = (
        "from transformers import AutoTokenizer\n\uff54\uff4f\uff4b = AutoTokenizer.from_pretrained(n)\n"
        "tok(x)\ntok.decode(y)\n\uff50\uff49\uff43\uff4b\uff4c\uff45.loads(b)\n"
    )
    assert resolved(source, "tok") == [None]
    assert resolved(source, "tok.decode") == ["transformers.AutoTokenizer.from_pretrained.decode"]
    assert resolved(source, "\uff50\uff49\uff43\uff4b\uff4c\uff45.loads") == ["pickle.loads"]


def test_many_optional_rebindings_resolve_quickly() -> None:
    """Alternatives are tried near an expression's root only, so chains of fallbacks stay linear."""
    lines = ["try:\n    import pickle as m0\nexcept ImportError:\n    m0 = None\n"]
    for i in range(1, 40):
        lines.append(f"try:\n    m{i} = m{i - 1}\nexcept ImportError:\n    m{i} = m{i - 1}\n")
    lines.append("m39.loads(b)\nm1.loads(b)\n")
    assert resolved("".join(lines), "m1.loads") == ["pickle.loads"]


# ------------------------------------------------------- names bound on several paths (candidates)


class RecordCandidates(Rule):
    code, name, summary = "TST998", "record-candidates", "records every callee's candidates"
    seen: ClassVar[list[tuple[str, tuple[str, ...]]]] = []

    def visit_Call(self, node: Any) -> None:
        RecordCandidates.seen.append(
            (cst.Module([]).code_for_node(node.func), self.names.candidates(node.func))
        )


def candidates_of(source: str, callee: str) -> list[tuple[str, ...]]:
    RecordCandidates.seen = []
    assert check_source(RecordCandidates, textwrap.dedent(source)) == []
    found = [names for text, names in RecordCandidates.seen if text == callee]
    assert found, f"no call to {callee} in the source"
    return found


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # try/except: the branch in effect first, then the other one
        (
            "try:\n    import torch\nexcept ImportError:\n    import torch_npu as torch\ntorch.load(p)\n",
            ("torch_npu.load", "torch.load"),
        ),
        # if/elif/else chains: every branch of every enclosing if
        (
            "if a:\n    import pickle as s\nelif b:\n    import msgpack as s\nelse:\n    import json as s\ns.loads(x)\n",
            ("json.loads", "msgpack.loads", "pickle.loads"),
        ),
        # a conditional rebinding leaves the earlier binding in place on the other path
        (
            "import torch\nif npu:\n    import torch_npu as torch\ntorch.load(p)\n",
            ("torch_npu.load", "torch.load"),
        ),
        # an unconditional rebinding does not
        ("import torch\nimport torch_npu as torch\ntorch.load(p)\n", ("torch_npu.load",)),
        ("import pickle\npickle = codec\npickle.loads(b)\n", ()),
        # `X = None` on the other path names no module
        (
            "try:\n    import pickle\nexcept ImportError:\n    pickle = None\npickle.loads(b)\n",
            ("pickle.loads",),
        ),
    ],
)
def test_candidates_of_a_name_bound_on_several_paths(source: str, expected: tuple[str, ...]) -> None:
    callee = source.rstrip().rsplit("\n", 1)[1].split("(")[0]
    assert candidates_of(source, callee) == [expected]


def test_candidates_in_a_function_see_every_path_of_the_module() -> None:
    source = """
        try:
            import cPickle as pickle
        except ImportError:
            import pickle
        def restore(blob):
            return pickle.loads(blob)
    """
    assert candidates_of(source, "pickle.loads") == [("pickle.loads", "cPickle.loads")]


def test_candidates_of_an_instance_are_empty() -> None:
    source = """
        try:
            import torch
        except ImportError:
            torch = None
        m = torch.hub.load(repo, name)
        m(x)
    """
    assert candidates_of(source, "m") == [()]


def test_an_alias_of_an_instance_is_not_the_factory() -> None:
    source = """
        import torch
        m = torch.hub.load(repo, name)
        m2 = m
        m2(x)
        if fast:
            out = torch.load(p)
        else:
            out = {}
        use(out)
        out(1)
    """
    assert resolved(source, "m2") == [None]
    assert resolved(source, "out") == [None]
    assert candidates_of(source, "out") == [()]
    assert candidates_of(source, "use") == [()]
