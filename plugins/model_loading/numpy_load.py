"""AIS103: NumPy loaders told to unpickle object arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisec.hooks import UNKNOWN, Applicability, Confidence, Example, Rule, Severity

if TYPE_CHECKING:
    import libcst

# Canonical qualified name -> 0-based position of `allow_pickle` when passed positionally.
LOADERS: dict[str, int] = {
    "numpy.load": 2,
    "numpy.lib.npyio.load": 2,  # where NumPy 1.x defined it (`from numpy.lib.npyio import load`)
    "numpy.lib.format.read_array": 1,
}


class NumpyAllowPickle(Rule):
    code = "AIS103"
    name = "numpy-allow-pickle"
    summary = "`numpy.load` with `allow_pickle=True`, which unpickles object arrays"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = ("numpy",)
    qualified_names = tuple(LOADERS)
    fix_applicability = Applicability.UNSAFE
    description = (
        "`numpy.load(..., allow_pickle=True)` and `numpy.lib.format.read_array(..., "
        "allow_pickle=True)`, by keyword or position (third argument of `load`, second of "
        "`read_array`). A value that is not a literal is reported at medium severity and low "
        "confidence. The default (`allow_pickle=False`, since NumPy 1.16.3) is safe, so "
        "`np.load(path)` is not reported, and neither are `**kwargs` aisec cannot see into, nor "
        "falsy literals (`0`, `None`, `''`, `[]`, `()`, `{}`). "
        "Canonical names: `numpy.load`, `numpy.lib.format.read_array`, and `numpy.lib.npyio.load` "
        "(where NumPy 1.x defined `load`; NumPy 2 no longer has it there)."
    )
    rationale = (
        "With `allow_pickle=True`, an `.npy` file holding an object array (and every member of an "
        "`.npz` archive) is read with `pickle.load`, so a crafted data file runs code when it is "
        "loaded (CVE-2019-6446 is why the default changed). Feature files and embeddings are "
        "routinely downloaded and shared, which makes them exactly the untrusted input this matters for."
    )
    remediation = (
        "Drop `allow_pickle=True` and store plain numeric arrays; keep strings and records in "
        "fixed-width or structured dtypes, and metadata in JSON next to the array. If you must read "
        "object arrays, read only files you wrote and verified."
    )
    fix_safety = (
        "The fix removes the `allow_pickle=True` keyword. It is unsafe (applied only with "
        "`--unsafe-fixes`): files that contain object arrays then fail to load with a ValueError, "
        "which is the point, but it changes behaviour. No fix is offered for a positional or "
        "non-literal value."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://numpy.org/doc/stable/reference/generated/numpy.load.html",
        "https://nvd.nist.gov/vuln/detail/CVE-2019-6446",
    )
    invalid = (
        "import numpy as np\n\nfeatures = np.load('features.npy', allow_pickle=True)\n",
        "import numpy\ndata = numpy.load(path, allow_pickle=True).item()\n",
        "from numpy import load as npload\narr = npload(path, None, True)\n",
        "import numpy as np\nloader = np\nobj = loader.load(path, allow_pickle=True)\n",
        "def read(path):\n    import numpy as np\n    with np.load(path, allow_pickle=True) as archive:\n        return dict(archive)\n",
        "from numpy.lib.format import read_array\narr = read_array(stream, allow_pickle=True)\n",
        "from numpy.lib.npyio import load\narr = load(path, allow_pickle=True)\n",
        Example("import numpy as np\narr = np.load(path, allow_pickle=cfg.allow_pickle)\n", expect=1),
    )
    valid = (
        "import numpy as np\n\nfeatures = np.load('features.npy')\n",
        "import numpy as np\narr = np.load(path, allow_pickle=False, mmap_mode='r')\n",
        "import json\ndata = json.load(open('meta.json'))\n",
        "def load(path, allow_pickle=True):\n    return open(path).read()\n\ntext = load('notes.txt', allow_pickle=True)\n",
        "import pickle\nblob = pickle.dumps(arr)\nimport numpy as np\nnp.save('out.npy', arr, allow_pickle=True)\n",
        "# np.load(path, allow_pickle=True) is banned here\nnote = 'never np.load(x, allow_pickle=True)'\n",
        "import numpy as np\nimport torch\nstate = torch.load(path, weights_only=True)\narr = np.load(path, mmap_mode='r')\n",
        "import numpy as np\narr = np.loadtxt(path)\n",
        "import numpy as np\na = np.load(p, allow_pickle=[])\nb = np.load(p, allow_pickle=0)\nc = np.load(p, allow_pickle=None)\n",
    )

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        position = LOADERS.get(qualified) if qualified else None
        if position is None:
            return
        arg = self.args.get(node, "allow_pickle", position)
        if arg is None:
            return
        value = self.args.constant(arg.value)
        if value is UNKNOWN:
            self.report(
                node,
                f"`{qualified}` with an `allow_pickle` value aisec cannot read; if it can be true, "
                "loading an untrusted file runs code",
                severity=Severity.MEDIUM,
                confidence=Confidence.LOW,
            )
        elif value:  # True, or a truthy literal such as 1
            fix = self.fixes.remove_keyword(node, "allow_pickle") if arg.keyword is not None else None
            self.report(
                node,
                f"`{qualified}` with `allow_pickle=True` unpickles object arrays: loading an untrusted "
                "file runs code; drop allow_pickle and store plain arrays",
                fix=fix,
            )
