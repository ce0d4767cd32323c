"""Module names taken as imported when a file uses them without binding them anywhere.

Snippets, notebook fragments and modules after `from x import *` call `pickle.loads(x)` without
an import aisec can see; bandit and semgrep report those calls, and so does aisec, at low
confidence (`NameTable.assumed_import`). The list is the libraries whose loaders run code. It
lives apart from `names` because the call screen (`screen`, libcst-free) must offer the same
names as candidates to stay sound.
"""

from __future__ import annotations

ASSUMED_MODULES = frozenset(
    {
        "pickle",
        "cPickle",
        "_pickle",
        "dill",
        "cloudpickle",
        "jsonpickle",
        "shelve",
        "marshal",
        "yaml",
        "torch",
        "numpy",
        "joblib",
        "keras",
    }
)
