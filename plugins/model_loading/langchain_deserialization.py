"""AIS110: LangChain / LlamaIndex deserialization of pickled stores and serialized objects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisec.hooks import UNKNOWN, Confidence, Rule, Severity, cst

if TYPE_CHECKING:
    import libcst

FLAG = "allow_dangerous_deserialization"
# Import roots whose APIs take `allow_dangerous_deserialization`.
_LIBRARY_PREFIXES = ("langchain", "llama_index")
# LangChain methods that take the flag: matched by name when the receiver cannot be resolved.
_FLAG_METHODS = frozenset({"load_local", "deserialize_from_bytes"})
# `langchain(.core).load` revivers (JSON manifests -> LangChain objects).
LOADERS = frozenset(
    f"{package}.load.{module}{function}"
    for package in ("langchain", "langchain_core")
    for module in ("", "load.")
    for function in ("load", "loads")
)
# Arguments of `load`/`loads` that widen what a payload can reach.
_BROADENING = {
    "secrets_from_env": "secrets_from_env=True lets the payload read any environment variable",
    "valid_namespaces": "valid_namespaces widens the modules a payload can instantiate from",
    "additional_import_mappings": "additional_import_mappings widens the classes a payload can instantiate",
}


class DangerousDeserialization(Rule):
    code = "AIS110"
    name = "dangerous-deserialization"
    summary = "LangChain/LlamaIndex stores loaded with allow_dangerous_deserialization, or langchain load(s) of data"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = (FLAG, "langchain")
    # A finding needs the flag spelled, or a reviver, whose every spelling names the `load` module:
    # without this, every module of a LangChain code base would be parsed for this rule.
    trigger_groups = ((FLAG, "load"),)
    # The same, as identifiers: the flag is read as a keyword argument's name only, and every
    # reviver's qualified name has a `load` component, which only an identifier can give it (the
    # ast screen: langchain's own modules mention `load` in `loader`, `load_dotenv`, docstrings).
    identifier_groups = ((FLAG, "load"),)
    # The revivers; any callee resolved into the libraries; an unresolved receiver's flag methods.
    qualified_names = (
        *sorted(LOADERS),
        *(f"{prefix}*" for prefix in _LIBRARY_PREFIXES),
        *(f"*.{method}" for method in sorted(_FLAG_METHODS)),
    )
    # Calls other than the revivers are reported only with the flag passed by name (langchain's
    # own modules call into `langchain*` everywhere: 90 of them were parsed for this rule alone).
    qualified_names_with = {FLAG: tuple(p for p in qualified_names if p not in LOADERS)}
    description = (
        f"Any call with `{FLAG}=True` whose qualified name resolves into a `langchain*` package "
        "(`langchain`, `langchain_community`, `langchain_core`, `langchain_experimental`, ...) or "
        "`llama_index`, e.g. `langchain_community.vectorstores.FAISS.load_local`, "
        "`langchain_community.vectorstores.FAISS.deserialize_from_bytes`, "
        "`langchain_community.vectorstores.Annoy.load_local`, `...ScaNN.load_local`, "
        "`langchain_community.retrievers.TFIDFRetriever.load_local`. A flag aisec cannot read "
        "(a variable) is medium severity. A `load_local(...)` / `deserialize_from_bytes(...)` "
        f"call with the flag on a receiver aisec cannot resolve (`store_cls.load_local`) is "
        "reported with medium confidence; the flag on a project's own function is not.\n\n"
        "Also the LangChain revivers "
        + ", ".join(f"`{name}`" for name in sorted(LOADERS))
        + " on anything but a string literal: medium severity and confidence (aisec cannot tell "
        "where the data comes from), high when `secrets_from_env=True`, `allowed_objects='all'`, "
        "`valid_namespaces` or `additional_import_mappings` widen what a payload can reach. "
        "A call narrowed to the documented safe setting, `allowed_objects` set to a named subset "
        "other than `'all'` (`'messages'`, `'core'`) or an explicit list or tuple of classes, and "
        "nothing widening it, is not reported. "
        "Agent tools that execute model output (`allow_dangerous_code=True`, `PythonREPLTool`) are "
        "AIS301, not this rule."
    )
    rationale = (
        "FAISS, Annoy, ScaNN and TF-IDF stores keep their docstore in a pickle file; "
        f"`{FLAG}=True` tells LangChain to unpickle it, so anyone who can write or replace the "
        "index folder (a shared volume, a downloaded index, an upload) runs code in the "
        "application. `load`/`loads` instantiate LangChain classes named by the payload with "
        "arguments it chooses and can resolve secrets: a payload injected into data the "
        "application serialized itself has been enough to extract API keys (CVE-2025-68664)."
    )
    remediation = (
        f"Leave `{FLAG}` off and keep vector stores in a server or format that does not pickle "
        "(Chroma, pgvector, Qdrant, FAISS index + JSON docstore you write yourself). If you must "
        "load a pickled index, load only folders your application wrote, on storage no one else "
        "can write, and verify a hash before loading. Never pass request data or downloaded "
        "content to `load`/`loads`; keep `allowed_objects` narrow (an explicit class list), "
        "`secrets_from_env=False` and langchain-core current."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://python.langchain.com/docs/security/",
        "https://reference.langchain.com/python/langchain-core/load/load/loads",
        "https://github.com/advisories/GHSA-c67j-w6g6-q2cm",
    )
    invalid = (
        "from langchain_community.vectorstores import FAISS\n\n"
        "db = FAISS.load_local('faiss_index', embeddings, allow_dangerous_deserialization=True)\n",
        "from langchain.vectorstores import FAISS as VectorStore\n"
        "db = VectorStore.load_local(path, emb, allow_dangerous_deserialization=True)\n",
        "import langchain_community.vectorstores as vs\nstore = vs.Annoy.load_local(path, emb, allow_dangerous_deserialization=True)\n",
        "def restore(path, emb, trusted):\n"
        "    from langchain_community.vectorstores import FAISS\n"
        "    return FAISS.load_local(path, emb, allow_dangerous_deserialization=trusted)\n",
        "from langchain_community import vectorstores\nstore_type = vectorstores.FAISS\n"
        "db = store_type.deserialize_from_bytes(serialized=blob, embeddings=emb, allow_dangerous_deserialization=True)\n",
        "def open_index(store_cls, path, emb):\n    return store_cls.load_local(path, emb, allow_dangerous_deserialization=True)\n",
        "from langchain_core.load import loads\nchain = loads(request.body)\n",
        "from langchain_core.load import loads\nmsgs = loads(text, allowed_objects='messages', secrets_from_env=True)\n",
        "from langchain.load import load\nobj = load(payload, secrets_from_env=True)\n",
        "import langchain_core.load as lc_load\nobj = lc_load.loads(text, allowed_objects='all')\n",
    )
    valid = (
        "from langchain_community.vectorstores import FAISS\n\n"
        "db = FAISS.load_local('faiss_index', embeddings, allow_dangerous_deserialization=False)\n",
        "from langchain_community.vectorstores import FAISS\ndb = FAISS.load_local('faiss_index', embeddings)\n",
        "def load_index(path, allow_dangerous_deserialization=False):\n    return open(path).read()\n\n"
        "index = load_index('idx', allow_dangerous_deserialization=True)\n",
        "# FAISS.load_local(p, e, allow_dangerous_deserialization=True) is forbidden\n"
        "DOC = 'langchain_core.load.loads must never see user data'\n",
        "from langchain_core.load import dumps\ntext = dumps(chain)\n",
        "import json\nbody = json.loads(request.body)\n",
        'from langchain_core.load import loads\nmsg = loads(\'{"lc": 1, "type": "constructor", "id": ["x"], "kwargs": {}}\')\n',
        "from langchain_community.vectorstores import Chroma\ndb = Chroma(persist_directory='db', embedding_function=emb)\n",
        "from langchain_core.load import loads\nhistory = loads(stored, allowed_objects='messages')\n",
        "from langchain_core.load import load\nfrom langchain_core.messages import AIMessage, HumanMessage\n"
        "msgs = load(data, allowed_objects=[HumanMessage, AIMessage])\n",
    )

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        if qualified in LOADERS:
            self._check_loader(node, qualified)
            return
        flag = self.args.get(node, FLAG)
        if flag is None:
            return
        confidence = None
        if qualified is not None:
            if not qualified.startswith(_LIBRARY_PREFIXES):
                return
            api = qualified
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in _FLAG_METHODS:
            api = f"*.{node.func.attr.value}"
            confidence = Confidence.MEDIUM
        else:
            return
        value = self.args.constant(flag.value)
        if value is True:
            self.report(
                node,
                f"`{api}` with {FLAG}=True unpickles the stored files: whoever can write or replace "
                "them runs code in this process; load only folders this application wrote, from "
                "storage nobody else can write",
                confidence=confidence,
            )
        elif value is UNKNOWN:
            self.report(
                node,
                f"`{api}` with {FLAG} set from a value aisec cannot read; when it is True the stored "
                "files are unpickled, which runs any code they name",
                severity=Severity.MEDIUM,
                confidence=Confidence.MEDIUM,
            )

    def _check_loader(self, node: libcst.Call, qualified: str) -> None:
        data = self.args.get(node, None, 0) or self.args.get(node, "text") or self.args.get(node, "obj")
        if data is not None and isinstance(self.args.constant(data.value), str):
            return  # a manifest written in the source is not untrusted data
        widened = []
        for keyword, note in _BROADENING.items():
            arg = self.args.get(node, keyword)
            if arg is None:
                continue
            value = self.args.constant(arg.value)
            if keyword == "secrets_from_env" and value is not True:
                continue
            if value is None:
                continue
            widened.append(note)
        allowed = self.args.get(node, "allowed_objects")
        scope = self._allowed_objects(allowed.value) if allowed is not None else None
        if scope == "all":
            widened.append("allowed_objects='all' lets the payload instantiate any serializable class")
        elif scope == "narrowed" and not widened:
            return  # the documented safe setting: only the named classes can be revived
        message = (
            f"`{qualified}` revives LangChain objects from serialized data: on untrusted input it "
            "instantiates classes with arguments the payload chooses; only load data this "
            "application produced, and pass allowed_objects naming the classes you expect"
        )
        if widened:
            self.report(
                node,
                f"{message} ({'; '.join(widened)})",
                severity=Severity.HIGH,
                confidence=Confidence.MEDIUM,
            )
        else:
            self.report(node, message, severity=Severity.MEDIUM, confidence=Confidence.MEDIUM)

    def _allowed_objects(self, expr: libcst.BaseExpression) -> str | None:
        """'all', 'narrowed' (a named subset or a class list) or None (unknown)."""
        value = self.args.constant(expr)
        if value == "all":
            return "all"
        if isinstance(value, str):
            return "narrowed"
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)) and not any(
            isinstance(element, cst.StarredElement) for element in expr.elements
        ):
            return "narrowed"
        return None
