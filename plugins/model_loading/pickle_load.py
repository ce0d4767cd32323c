"""AIS101: pickle-family deserialization."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, Iterator

from aisec.hooks import Confidence, Example, Rule, Severity, cst

from .references import ReportsReferences, referenced

if TYPE_CHECKING:
    import libcst

_PICKLE = "unpickles arbitrary objects: loading untrusted data runs arbitrary code"
# Canonical qualified name -> what the message says about it.
DESERIALIZERS: dict[str, str] = {
    **{
        f"{mod}.{fn}": f"`{mod}.{fn}` {_PICKLE}"
        for mod in ("pickle", "_pickle", "cPickle")
        for fn in ("load", "loads", "Unpickler")
    },
    **{
        f"dill.{fn}": f"`dill.{fn}` {_PICKLE}"
        for fn in ("load", "loads", "Unpickler", "load_session", "load_module")
    },
    **{f"cloudpickle.{fn}": f"`cloudpickle.{fn}` {_PICKLE}" for fn in ("load", "loads")},
    "jsonpickle.decode": f"`jsonpickle.decode` {_PICKLE}",
    "jsonpickle.unpickler.decode": f"`jsonpickle.unpickler.decode` {_PICKLE}",
    "jsonpickle.unpickler.Unpickler": f"`jsonpickle.unpickler.Unpickler` {_PICKLE}",
    "shelve.open": f"`shelve.open` {_PICKLE} (every value in a shelf is a pickle)",
    "shelve.DbfilenameShelf": f"`shelve.DbfilenameShelf` {_PICKLE} (every value in a shelf is a pickle)",
    "pandas.read_pickle": f"`pandas.read_pickle` {_PICKLE}",
    "pandas.io.pickle.read_pickle": f"`pandas.read_pickle` {_PICKLE}",
    "marshal.load": "`marshal.load` reads code objects and crashes the interpreter on malformed data; never use it on untrusted input",
    "marshal.loads": "`marshal.loads` reads code objects and crashes the interpreter on malformed data; never use it on untrusted input",
    **{
        f"msgpack_numpy.{fn}": f"`msgpack_numpy.{fn}` unpickles object arrays (dtype 'O') in the data: loading untrusted data runs arbitrary code"
        for fn in ("decode", "unpackb", "unpack", "loads", "load")
    },
    "msgpack_numpy.patch": "`msgpack_numpy.patch()` makes every later `msgpack.unpackb`/`unpack` unpickle object arrays: loading untrusted data runs arbitrary code",
}
_MEDIUM = {"marshal.load", "marshal.loads"}
# Peers that send pickles: usually trusted (other ranks of one job, a parent process), so low.
_PEER_PICKLES: dict[str, str] = {
    **{
        f"torch.distributed.{fn}": f"`torch.distributed.{fn}` unpickles the objects other ranks send: a compromised peer runs code here"
        for fn in (
            "broadcast_object_list",
            "all_gather_object",
            "gather_object",
            "scatter_object_list",
            "recv_object_list",
        )
    },
    **{
        name: "`multiprocessing` `Connection.recv()` unpickles what the other end sends: a peer that is not trusted runs code here"
        for name in (
            "multiprocessing.connection.Connection.recv",
            "multiprocessing.connection.Client.recv",
            "multiprocessing.connection.Listener.accept.recv",
        )
    },
}
_UNPICKLERS = frozenset({"pickle.Unpickler", "_pickle.Unpickler", "dill.Unpickler"})


class PickleLoad(ReportsReferences, Rule):
    code = "AIS101"
    name = "pickle-load"
    summary = "Pickle-family deserialization (pickle, dill, cloudpickle, jsonpickle, shelve, marshal, pandas.read_pickle)"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = ("pickle", "Pickle", "dill", "shelve", "marshal", "msgpack_numpy", "_object", "recv")
    qualified_names = (
        *DESERIALIZERS,
        *_PEER_PICKLES,
        "builtins.super.find_class",
        "*.Unpickler.find_class",
    )
    description = (
        "Calls that deserialize pickle data: `pickle`/`_pickle`/`cPickle` `load`, `loads` and "
        "`Unpickler`; `dill` and `cloudpickle` loaders; `jsonpickle.decode`; `shelve.open`; "
        "`pandas.read_pickle`; and `marshal.load(s)` (medium). Calls are matched by qualified name, "
        "so aliases (`import pickle as pk`, `from pickle import loads as l`, `m = pickle`, "
        "`try: import cPickle as pickle` / `except ImportError: pickle = None`) are found and a "
        "project's own `load()` is not. A module used without any import (`pickle.loads(x)` in a "
        "snippet, a notebook fragment or after `from x import *`) is taken as that module, at low "
        "confidence; a name a `from pickle import *` supplies (`loads(b)`) is that module's. "
        "Canonical names: " + ", ".join(f"`{name}`" for name in sorted(DESERIALIZERS)) + ".\n\n"
        "**References.** A deserializer passed, uncalled, to `functools.partial`, `map`/`filter`, "
        "a pool's or executor's `map`/`imap`/`starmap`/`submit`/`apply_async`, or as msgpack's "
        "`object_hook`, is reported at the reference (it is called later on data that API picks). "
        "Passed to any other function (`register(pickle.loads)`, `Codec(decode=pickle.loads)`, "
        "also as an item of a list/tuple/set/dict written in the call, nested up to four deep: "
        "`hooks=[pickle.load]`, `{'pickle': [pickle.loads]}`), or given as a parameter's default "
        "(`def restore(path, reader=pickle.load)`), it may be called later and is reported at "
        "**medium confidence**; calls that only look at it (`isinstance`, `functools.wraps`, "
        "`inspect.signature`, ...) are not. Assigning it to a name (`loader = pickle.load`) is "
        "followed to the call of that name, and `getattr(pickle, 'loads')` with a constant name "
        "is `pickle.loads`.\n\n"
        "**Peers.** `torch.distributed` object collectives ("
        + ", ".join(f"`{name.rsplit('.', 1)[1]}`" for name in _PEER_PICKLES if name.startswith("torch"))
        + ") and `multiprocessing.connection` `recv()` (on a `Client(...)` or `Listener.accept()` "
        "connection) unpickle what the other side sends: **low**, since peers are usually the "
        "job's own ranks or processes.\n\n"
        "**Unpickler subclasses.** A subclass of `pickle.Unpickler` whose `find_class` never "
        "raises and only hands every name on to another `find_class` (renaming modules, logging) "
        "restricts nothing and is reported at its `class` line (medium confidence). A "
        "`find_class` that raises for names outside an allowlist is a restriction."
    )
    rationale = (
        "Unpickling calls whatever callables the data names (`__reduce__`), so a model file, cache "
        "entry or message crafted by an attacker runs code with the loader's privileges the moment "
        "it is loaded. A downloaded or shared `.pkl` model is exactly such input. There is no "
        "safe way to unpickle untrusted data; a `find_class` allowlist in an `Unpickler` subclass "
        "narrows it (aisec does not report calls to such a subclass)."
    )
    remediation = (
        "Store models as safetensors, ONNX or the framework's weights-only format, and plain data "
        "as JSON, msgpack or Parquet. If pickle is unavoidable, load only files you produced and "
        "verify them (signature or hash pinned in code) before loading, or subclass "
        "`pickle.Unpickler` with a strict `find_class` allowlist. Suppress a reviewed call with "
        "`# aisec: ignore[AIS101] reason`."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://docs.python.org/3/library/pickle.html#restricting-globals",
        "https://huggingface.co/docs/hub/security-pickle",
    )
    invalid = (
        # a loader as a parameter default, nested in literals, or named through getattr
        Example(
            "import pickle\n\n\ndef restore(path, reader=pickle.load):\n    with open(path, 'rb') as handle:\n        return reader(handle)\n",
            expect=1,
        ),
        Example(
            "import pickle\nCODECS = register({'pickle': [pickle.loads], 'json': [json_loads]})\n", expect=1
        ),
        Example(
            "import pickle\nobj = getattr(pickle, 'loads')(blob)\nloader = getattr(pickle, 'load')\nstate = loader(handle)\n",
            expect=2,
        ),
        "import pickle\n\nwith open('model.pkl', 'rb') as f:\n    model = pickle.load(f)\n",
        # references passed to any function (medium confidence), as written or in a literal
        "import pickle\nregistry.register('pkl', pickle.loads)\n",
        "from pickle import loads as decode\ncodec = Codec(decode=decode)\n",
        "import dill\nserializers = dict(fast={'x': 1}, full=[dill.loads])\n",
        "import pickle\nload_all(paths, (pickle.load, print))\n",
        "import pickle\nloader = pickle.load\nregister(loader)\n",  # an alias passed on
        # bound on several paths: the name may be any of the modules (the pickle one is reported)
        "if fast:\n    import pickle as codec\nelif small:\n    import msgpack as codec\n"
        "else:\n    import json as codec\nobj = codec.loads(blob)\n",
        "import pickle as codec\n\nif prefer_json:\n    import json as codec\n\nobj = codec.loads(blob)\n",
        "import pickle as pk\nobj = pk.loads(payload)\n",
        "from pickle import loads as decode\nobj = decode(payload)\n",
        "import _pickle\nobj = _pickle.Unpickler(stream).load()\n",
        "import dill\nstate = dill.loads(blob)\n",
        "import cloudpickle\nfn = cloudpickle.load(open('fn.pkl', 'rb'))\n",
        "import jsonpickle\nobj = jsonpickle.decode(request_body)\n",
        "import shelve\ndb = shelve.open('cache.db')\n",
        "import pandas as pd\ndf = pd.read_pickle('frame.pkl')\n",
        "import marshal\ncode = marshal.loads(data)\n",
        "import pickle\nserializer = pickle\nobj = serializer.loads(data)\n",
        "def restore(blob):\n    import pickle\n    return pickle.loads(blob)\n",
        Example(
            "try:\n    import cPickle as pickle\nexcept ImportError:\n    import pickle\nobj = pickle.load(f)\n",
            expect=1,
        ),
        Example(
            "try:\n    import dill\nexcept ImportError:\n    dill = None\n\n"
            "def restore(blob):\n    return dill.loads(blob)\n",
            expect=1,
        ),
        Example(
            "# a notebook cell: pickle was imported in an earlier cell\nmodel = pickle.loads(blob)\n",
            expect=1,
        ),
        Example("import pickle\nobjects = list(map(pickle.load, handles))\n", expect=1),
        Example(
            "import functools\nimport pickle\nrestore = functools.partial(pickle.loads, fix_imports=False)\n",
            expect=1,
        ),
        Example(
            "import pickle\nfrom concurrent.futures import ThreadPoolExecutor\n"
            "with ThreadPoolExecutor() as pool:\n    models = list(pool.map(pickle.load, files))\n",
            expect=1,
        ),
        Example(
            "import msgpack\nimport msgpack_numpy as m\nx = msgpack.unpackb(blob, object_hook=m.decode)\n",
            expect=1,
        ),
        Example("import msgpack_numpy\nmsgpack_numpy.patch()\n", expect=1),
        Example("import torch.distributed as dist\ndist.broadcast_object_list(objects, src=0)\n", expect=1),
        Example(
            "from multiprocessing.connection import Client\nconn = Client(('localhost', 6000))\nmsg = conn.recv()\n",
            expect=1,
        ),
        Example(
            "import pickle\n\nclass RenamingUnpickler(pickle.Unpickler):\n"
            "    def find_class(self, module, name):\n"
            "        if module == 'old_pkg.models':\n            module = 'new_pkg.models'\n"
            "        return super().find_class(module, name)\n",
            expect=1,
        ),
    )
    valid = (
        # serializers, not deserializers, by default or through getattr
        "import pickle\n\n\ndef save(obj, path, writer=pickle.dump, protocol=pickle.HIGHEST_PROTOCOL):\n    ...\n",
        "import pickle\nblob = getattr(pickle, 'dumps')(value)\nregister({'codecs': [json.loads, {'x': print}]})\n",
        # looking at a loader is not calling it; dumpers are not loaders
        "import inspect\nimport pickle\nok = isinstance(u, pickle.Unpickler)\nsig = inspect.signature(pickle.loads)\n",
        "import functools\nimport pickle\n\n@functools.wraps(pickle.loads)\ndef loads(b):\n    return safe(b)\n",
        "import pickle\nregistry.register('pkl', pickle.dumps)\n",
        "import json\nregistry.register('json', json.loads)\n",
        # what a loader returned is not the loader, also through an alias or on another path
        "import pickle\n\ndef g(data):\n    bundle = pickle.loads(data)  # aisec: ignore[AIS101] test\n"
        "    if isinstance(bundle, tuple):\n        entry, kernels = bundle\n    else:\n        entry = bundle\n"
        "    build(entry)\n    alias = bundle\n    alias(data)\n",
        # rebound unconditionally: the earlier import is no longer a path
        "import pickle as codec\nimport json as codec\nobj = codec.loads(blob)\n",
        "try:\n    import orjson as codec\nexcept ImportError:\n    import json as codec\nobj = codec.loads(blob)\n",
        "import json\n\nwith open('config.json') as f:\n    config = json.load(f)\n",
        "import pickle\nblob = pickle.dumps(model)\npickle.dump(model, open('m.pkl', 'wb'))\n",
        "def load(path):\n    return open(path).read()\n\ndata = load('notes.txt')\n",
        "import pickle\n\nclass SafeUnpickler(pickle.Unpickler):\n    def find_class(self, module, name):\n        raise pickle.UnpicklingError(name)\n\nobj = SafeUnpickler(stream).load()\n",
        "# pickle.load(f) is forbidden here\ndoc = 'never call pickle.loads on user data'\n",
        "import pandas as pd\ndf.to_pickle('frame.pkl')\ndf2 = pd.read_parquet('frame.parquet')\n",
        "import marshal\nblob = marshal.dumps(code)\n",
        "import pickle\n\ndef f(pickle):\n    return pickle.loads(x)\n",
        "import pickle\nimport functools\nsave = functools.partial(pickle.dump, protocol=5)\nblobs = list(map(pickle.dumps, objects))\n",
        "import pickle\n\nclass Allowlisted(pickle.Unpickler):\n"
        "    def find_class(self, module, name):\n"
        "        if (module, name) in SAFE:\n            return super().find_class(module, name)\n"
        "        raise pickle.UnpicklingError(f'{module}.{name} is not allowed')\n",
        "import msgpack\nx = msgpack.unpackb(blob, raw=False)\n",
        "import torch.distributed as dist\ndist.scatter(output, inputs, src=0)\n",
        "def helper(pickle):\n    return pickle\n\npickle.loads(blob)\n",
        "class Codec:\n    def loads(self, data):\n        return data\n\ncodec = Codec()\nobj = codec.loads(b)\n",
    )

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        if qualified in _PEER_PICKLES:
            self.report(node, _PEER_PICKLES[qualified], severity=Severity.LOW)
            return
        message = DESERIALIZERS.get(qualified) if qualified else None
        if message is not None:
            severity = Severity.MEDIUM if qualified in _MEDIUM else None
            self.report(node, message, severity=severity)
        else:
            self._report_references(referenced(self, node, sure=_is_msgpack_unpack(qualified)))

    def _report_references(self, found: Iterable[tuple[Any, str, Any]]) -> None:
        for expr, target, confidence in found:
            if target in DESERIALIZERS:
                self.report(
                    expr,
                    f"{DESERIALIZERS[target]} (passed here to be called later)",
                    severity=Severity.MEDIUM if target in _MEDIUM else None,
                    confidence=confidence,
                )

    def visit_ClassDef(self, node: libcst.ClassDef) -> None:
        if not any(self.names.qualified(base.value) in _UNPICKLERS for base in node.bases):
            return
        find_class = _method(node, "find_class")
        if find_class is not None and _only_delegates(find_class):
            self.report(
                node,
                f"`{node.name.value}` subclasses Unpickler but its `find_class` only passes every "
                "name on (renaming modules is not a restriction): it unpickles arbitrary objects; "
                "raise UnpicklingError for anything outside an allowlist",
                confidence=Confidence.MEDIUM,
            )


def _is_msgpack_unpack(qualified: str | None) -> bool:
    """`msgpack.unpackb(data, object_hook=msgpack_numpy.decode)` passes the hook as a reference."""
    return qualified is not None and qualified.startswith("msgpack.unpack")


def _method(cls: libcst.ClassDef, name: str) -> libcst.FunctionDef | None:
    body = cls.body.body if isinstance(cls.body, cst.IndentedBlock) else ()
    for statement in body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def _only_delegates(func: libcst.FunctionDef) -> bool:
    """No `raise` anywhere, and every `return` hands the name on to another `find_class`."""
    returns = []
    for node in _body_nodes(func.body):
        if isinstance(node, cst.Raise):
            return False
        if isinstance(node, cst.Return):
            value = node.value
            returns.append(
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Attribute)
                and value.func.attr.value == "find_class"
            )
    return bool(returns) and all(returns)


def _body_nodes(node: libcst.CSTNode) -> Iterator[libcst.CSTNode]:
    """Every node of a function body, not descending into nested functions and classes."""
    yield node
    for child in node.children:
        if not isinstance(child, (cst.FunctionDef, cst.Lambda, cst.ClassDef)):
            yield from _body_nodes(child)
