"""AIS109: Keras loading with safe mode turned off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aisec.hooks import UNKNOWN, Applicability, Confidence, Example, Rule, Severity

if TYPE_CHECKING:
    import libcst

_KERAS_ROOTS = ("keras", "tensorflow.keras", "tf_keras")
# Functions with a `safe_mode` parameter -> its 0-based position.
SAFE_MODE_FUNCTIONS: dict[str, int] = {
    **{f"{root}.models.load_model": 3 for root in _KERAS_ROOTS},
    **{f"{root}.saving.load_model": 3 for root in _KERAS_ROOTS},
    "keras.src.saving.saving_api.load_model": 3,
    **{f"{root}.saving.deserialize_keras_object": 2 for root in _KERAS_ROOTS},
    **{f"{root}.utils.deserialize_keras_object": 2 for root in _KERAS_ROOTS},
    "keras.src.saving.serialization_lib.deserialize_keras_object": 2,
    "keras.src.saving.serialization_lib.SafeModeScope": 0,
}
_LOADERS = frozenset(name for name in SAFE_MODE_FUNCTIONS if name.endswith(".load_model"))
# Legacy HDF5 model files: safe mode covers them only in Keras >= 3.11.3.
_HDF5_SUFFIXES = (".h5", ".hdf5")
# Calls that turn safe mode off for the whole process.
GLOBAL_UNSAFE = frozenset(
    {f"{root}.config.enable_unsafe_deserialization" for root in _KERAS_ROOTS}
    | {"keras.src.saving.serialization_lib.enable_unsafe_deserialization"}
)


class KerasUnsafeDeserialization(Rule):
    code = "AIS109"
    name = "keras-unsafe-deserialization"
    summary = "Keras model loading with safe_mode=False, or unsafe deserialization enabled globally"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = ("keras",)
    qualified_names = (*SAFE_MODE_FUNCTIONS, *sorted(GLOBAL_UNSAFE))
    fix_applicability = Applicability.UNSAFE
    description = (
        "Keras loaders called with `safe_mode=False` (keyword or position): "
        + ", ".join(f"`{name}`" for name in sorted(SAFE_MODE_FUNCTIONS))
        + ". A `safe_mode` aisec cannot read (a variable) is reported at medium severity and "
        "confidence. Always reported: "
        + ", ".join(f"`{name}`" for name in sorted(GLOBAL_UNSAFE))
        + ", which turns safe mode off for every later load in the process. "
        "`import tensorflow as tf; tf.keras...` and `from tensorflow import keras` resolve to the "
        "`tensorflow.keras.*` names.\n\n"
        "Also `load_model` of a legacy HDF5 file (a literal path ending in `.h5` or `.hdf5`), "
        "whatever its `safe_mode`, at **medium** severity: safe mode protects `.h5` files only in "
        "Keras >= 3.11.3 (earlier Keras 3 silently ignored it there, CVE-2025-9905, and Keras 2 / "
        "`tf_keras` never applied it to `.h5`), so a `Lambda` layer in the file runs its "
        "marshalled bytecode on load. Not reported: `load_model` of other paths with the default "
        "`safe_mode=True`. `keras.layers.TFSMLayer` has no `safe_mode` and is not covered."
    )
    rationale = (
        "A `.keras` archive stores a model's config as JSON; with safe mode off, Keras "
        "deserializes Python lambdas (marshalled bytecode) in `Lambda` layers and other "
        "callables named in the config, so loading a crafted model file runs code "
        "(CVE-2024-3660). Safe mode is the barrier, and `enable_unsafe_deserialization()` "
        "removes it for every model the process loads afterwards, including ones loaded by other "
        "libraries. Safe mode itself has had bypasses (CVE-2025-1550, fixed in Keras 3.9), so "
        "keep Keras current as well."
    )
    remediation = (
        "Keep the default `safe_mode=True` and replace `Lambda` layers with named, registered "
        "layers (`@keras.saving.register_keras_serializable()`) passed through "
        "`custom_objects`. Only load models with safe mode off that you produced yourself and "
        "whose integrity you verify (hash or signature pinned in code); never call "
        "`keras.config.enable_unsafe_deserialization()` in a service."
    )
    fix_safety = (
        "The fix removes `safe_mode=False` from the call. It is unsafe (applied only with "
        "`--unsafe-fixes`): models that contain Python lambdas stop loading until the lambdas are "
        "replaced with registered layers."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://keras.io/api/models/model_saving_apis/model_saving_and_loading/",
        "https://www.tensorflow.org/api_docs/python/tf/keras/config/enable_unsafe_deserialization",
        "https://nvd.nist.gov/vuln/detail/CVE-2024-3660",
        "https://nvd.nist.gov/vuln/detail/CVE-2025-1550",
        "https://github.com/advisories/GHSA-36rr-ww3j-vrjv",
    )
    invalid = (
        "import keras\n\nmodel = keras.models.load_model('model.keras', safe_mode=False)\n",
        "import tensorflow as tf\nmodel = tf.keras.models.load_model(path, custom_objects=objs, safe_mode=False)\n",
        "from tensorflow import keras\nkeras.config.enable_unsafe_deserialization()\n",
        "from keras.saving import load_model as restore\nmodel = restore(path, None, True, False)\n",
        "import keras\nk = keras\nk.config.enable_unsafe_deserialization()\n",
        "def load(path, trusted):\n    from keras.models import load_model\n    return load_model(path, safe_mode=trusted)\n",
        "import keras\nlayer = keras.saving.deserialize_keras_object(config, safe_mode=False)\n",
        "import tf_keras\nmodel = tf_keras.models.load_model('legacy.h5', safe_mode=False)\n",
        Example(
            "import tensorflow as tf\nmodel = tf.keras.models.load_model('models/ocr_legacy.h5')\n", expect=1
        ),
        Example(
            "import tf_keras\nmodel = tf_keras.models.load_model('classifier.hdf5', compile=False)\n",
            expect=1,
        ),
    )
    valid = (
        "import keras\n\nmodel = keras.models.load_model('model.keras')\n",
        "import keras\nmodel = keras.models.load_model('model.keras', safe_mode=True)\n",
        "import tensorflow as tf\nmodel = tf.keras.models.load_model('exported_model.keras')\n",
        "def load_model(path, safe_mode=False):\n    return open(path, 'rb').read()\n\nblob = load_model('model.keras', safe_mode=False)\n",
        "# keras.config.enable_unsafe_deserialization() is banned here\n"
        "DOC = 'never pass safe_mode=False to keras.models.load_model'\n",
        "import keras\nmodel.save('model.keras')\nweights = model.load_weights('model.weights.h5')\n",
        "from tensorflow import keras\nlayer = keras.layers.TFSMLayer('exported/', call_endpoint='serve')\n",
    )

    def _is_hdf5(self, node: libcst.Call) -> bool:
        path = self.args.get(node, "filepath", 0)
        value = None if path is None else self.args.constant(path.value)
        return isinstance(value, str) and value.lower().endswith(_HDF5_SUFFIXES)

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        if not qualified:
            return
        if qualified in GLOBAL_UNSAFE:
            self.report(
                node,
                f"`{qualified}()` turns Keras safe mode off for the whole process: every model loaded "
                "afterwards can run arbitrary code (Python lambdas, arbitrary imports); remove it",
            )
            return
        position = SAFE_MODE_FUNCTIONS.get(qualified)
        if position is None:
            return
        arg = self.args.get(node, "safe_mode", position)
        value = UNKNOWN if arg is None else self.args.constant(arg.value)
        if qualified in _LOADERS and value is not False and self._is_hdf5(node):
            self.report(
                node,
                f"`{qualified}` of a legacy HDF5 (.h5) model: Keras before 3.11.3, Keras 2 and "
                "tf_keras ignore safe_mode for .h5 files, so a Lambda layer in it runs code on load; "
                "convert trusted models to .keras and load them on a current Keras",
                severity=Severity.MEDIUM,
            )
            return
        if arg is None:
            return
        if value is False:
            fix = self.fixes.remove_keyword(node, "safe_mode") if arg.keyword is not None else None
            self.report(
                node,
                f"`{qualified}` with safe_mode=False deserializes Python lambdas and arbitrary callables "
                "from the file: loading an untrusted model runs code; keep safe_mode=True",
                fix=fix,
            )
        elif value is UNKNOWN:
            self.report(
                node,
                f"`{qualified}` with a safe_mode aisec cannot read; unless it is True, loading an "
                "untrusted model runs code",
                severity=Severity.MEDIUM,
                confidence=Confidence.MEDIUM,
            )
