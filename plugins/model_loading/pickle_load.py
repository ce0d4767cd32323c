"""AIS101: pickle-family deserialization."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisec.hooks import Example, Rule, Severity

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
}
_MEDIUM = {"marshal.load", "marshal.loads"}


class PickleLoad(Rule):
    code = "AIS101"
    name = "pickle-load"
    summary = "Pickle-family deserialization (pickle, dill, cloudpickle, jsonpickle, shelve, marshal, pandas.read_pickle)"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = ("pickle", "Pickle", "dill", "shelve", "marshal")
    qualified_names = tuple(DESERIALIZERS)
    description = (
        "Calls that deserialize pickle data: `pickle`/`_pickle`/`cPickle` `load`, `loads` and "
        "`Unpickler`; `dill` and `cloudpickle` loaders; `jsonpickle.decode`; `shelve.open`; "
        "`pandas.read_pickle`; and `marshal.load(s)` (medium). Calls are matched by qualified name, "
        "so aliases (`import pickle as pk`, `from pickle import loads as l`, `m = pickle`) are "
        "found and a project's own `load()` is not. Canonical names: "
        + ", ".join(f"`{name}`" for name in sorted(DESERIALIZERS))
        + "."
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
        "import pickle\n\nwith open('model.pkl', 'rb') as f:\n    model = pickle.load(f)\n",
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
    )
    valid = (
        "import json\n\nwith open('config.json') as f:\n    config = json.load(f)\n",
        "import pickle\nblob = pickle.dumps(model)\npickle.dump(model, open('m.pkl', 'wb'))\n",
        "def load(path):\n    return open(path).read()\n\ndata = load('notes.txt')\n",
        "import pickle\n\nclass SafeUnpickler(pickle.Unpickler):\n    def find_class(self, module, name):\n        raise pickle.UnpicklingError(name)\n\nobj = SafeUnpickler(stream).load()\n",
        "# pickle.load(f) is forbidden here\ndoc = 'never call pickle.loads on user data'\n",
        "import pandas as pd\ndf.to_pickle('frame.pkl')\ndf2 = pd.read_parquet('frame.parquet')\n",
        "import marshal\nblob = marshal.dumps(code)\n",
        "import pickle\n\ndef f(pickle):\n    return pickle.loads(x)\n",
    )

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.names.qualified(node.func)
        message = DESERIALIZERS.get(qualified) if qualified else None
        if message is None:
            return
        severity = Severity.MEDIUM if qualified in _MEDIUM else None
        self.report(node, message, severity=severity)
