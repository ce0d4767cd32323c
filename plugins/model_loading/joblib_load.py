"""AIS104: joblib, skops trusting what the file asks for, and MLflow pickle-based flavours."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aisec.hooks import Example, Rule, Severity, cst

if TYPE_CHECKING:
    import libcst

_PICKLE = "unpickles the file: loading an untrusted model runs arbitrary code"
JOBLIB: dict[str, str] = {
    "joblib.load": f"`joblib.load` {_PICKLE}",
    "joblib.numpy_pickle.load": f"`joblib.load` {_PICKLE}",
    "sklearn.externals.joblib.load": f"`sklearn.externals.joblib.load` (joblib vendored by old scikit-learn) {_PICKLE}",
    "sklearn.externals.joblib.numpy_pickle.load": f"`sklearn.externals.joblib.load` {_PICKLE}",
}
SKOPS_LOADERS = frozenset({"skops.io.load", "skops.io.loads"})
UNTRUSTED_TYPES = frozenset({"skops.io.get_untrusted_types"})
# Wrappers that keep a list of type names as it is: `trusted=list(unknown)`.
_PASS_THROUGH = frozenset({"builtins.list", "builtins.sorted", "builtins.tuple", "builtins.set"})

# MLflow flavours whose loader unpickles (pickle/cloudpickle/torch.load) -> how.
MLFLOW: dict[str, str] = {
    "mlflow.sklearn.load_model": "the sklearn flavour stores the estimator as a pickle or cloudpickle file",
    "mlflow.pyfunc.load_model": (
        "pyfunc loads whichever flavour the MLmodel file names, imports its loader module and "
        "cloudpickles custom `python_model`s"
    ),
    "mlflow.pyfunc.load_pyfunc": "pyfunc loads whichever flavour the MLmodel file names (deprecated alias of load_model)",
    "mlflow.pyfunc.spark_udf": "the UDF loads the pyfunc model, whichever flavour the MLmodel file names, on every executor",
    "mlflow.pytorch.load_model": "the pytorch flavour pickles the whole nn.Module and reloads it with torch.load",
    "mlflow.statsmodels.load_model": "the statsmodels flavour is a pickle",
    "mlflow.pmdarima.load_model": "the pmdarima flavour is a pickle (CVE-2024-37055)",
    "mlflow.lightgbm.load_model": "scikit-learn API LightGBM models are pickled (CVE-2024-37056)",
    "mlflow.tensorflow.load_model": "Keras models logged with custom objects keep them as a cloudpickle file",
    "mlflow.fastai.load_model": "the fastai flavour is a pickled Learner",
    "mlflow.shap.load_explainer": "shap explainers are saved and loaded with pickle",
    "mlflow.langchain.load_model": "the langchain flavour cloudpickles loader functions and runs the logged model code",
    "mlflow.dspy.load_model": "the dspy flavour cloudpickles the program",
}


class JoblibLoad(Rule):
    code = "AIS104"
    name = "joblib-load"
    summary = "joblib, skops trusting the file's own type list, and MLflow pickle-based model flavours"
    severity = Severity.HIGH
    cwe = "CWE-502"
    triggers = ("joblib", "skops", "mlflow")
    qualified_names = (*JOBLIB, *MLFLOW, *sorted(SKOPS_LOADERS))
    description = (
        "Model loaders that unpickle: `joblib.load` (and `sklearn.externals.joblib.load`, the copy "
        "old scikit-learn versions shipped); `skops.io.load` / `skops.io.loads` when `trusted=` is "
        "`True` (the old API that trusted everything) or comes from `skops.io.get_untrusted_types(...)`, "
        "either directly or through a variable assigned from it earlier in the same function (or "
        "module), which trusts whatever the file asks for; and MLflow `load_model` of the flavours "
        "that store pickles: "
        + ", ".join(f"`{name}`" for name in sorted(MLFLOW))
        + ". `skops.io.load` with no `trusted=` or a list you wrote is not reported. MLflow flavours "
        "with their own non-pickle format (xgboost, catboost, onnx, prophet, keras 3's `.keras` "
        "files, transformers, spark, h2o) are not reported here. Canonical names: "
        + ", ".join(f"`{name}`" for name in sorted(JOBLIB))
        + ", `skops.io.load`, `skops.io.loads`, `skops.io.get_untrusted_types`."
    )
    rationale = (
        "joblib files are pickles with a faster path for numpy arrays: loading one calls whatever "
        "callables it names, so a model from a hub, a bucket or a shared drive runs code with the "
        "loader's privileges. skops exists to avoid that: it refuses types that are not trusted. "
        "Passing the file's own `get_untrusted_types()` as `trusted=` accepts every type the "
        "attacker listed, which is the same as unpickling. MLflow's pickle-based flavours have had "
        "a run of code-execution advisories (CVE-2024-37052 scikit-learn, CVE-2024-37055 pmdarima, "
        "CVE-2024-37056 LightGBM, among others) because a model in a registry or a run's artifacts "
        "is a pickle under the hood."
    )
    remediation = (
        "Persist scikit-learn models with skops (`skops.io.dump`) and load them with "
        "`skops.io.load(path, trusted=[...])`, where the list names the types you reviewed, written "
        "as literals; or export to ONNX. For MLflow, load models only from a registry that only "
        "trusted pipelines can write to, prefer non-pickle flavours (onnx, the native xgboost/"
        "lightgbm booster), and set `MLFLOW_ALLOW_PICKLE_DESERIALIZATION=false` where your MLflow "
        "version supports it. Suppress a reviewed call with `# aisec: ignore[AIS104] reason`."
    )
    references = (
        "https://cwe.mitre.org/data/definitions/502.html",
        "https://joblib.readthedocs.io/en/stable/persistence.html",
        "https://skops.readthedocs.io/en/stable/persistence.html",
        "https://scikit-learn.org/stable/model_persistence.html",
        "https://nvd.nist.gov/vuln/detail/CVE-2024-37052",
    )
    invalid = (
        "import joblib\n\nmodel = joblib.load('model.joblib')\n",
        "from joblib import load as jl\nclf = jl(path)\n",
        "from sklearn.externals import joblib\nclf = joblib.load('clf.pkl')\n",
        "import joblib\nstore = joblib\nmodel = store.load(path)\n",
        "def restore(path):\n    import joblib\n    return joblib.load(path)\n",
        "import skops.io as sio\n\nunknown = sio.get_untrusted_types(file='model.skops')\nmodel = sio.load('model.skops', trusted=unknown)\n",
        "from skops.io import load, get_untrusted_types\nmodel = load(path, trusted=get_untrusted_types(file=path))\n",
        "import skops.io as sio\n\ndef restore(path):\n    types = sio.get_untrusted_types(file=path)\n    return sio.load(path, trusted=list(types))\n",
        "import skops.io as sio\nmodel = sio.loads(blob, trusted=True)\n",
        "import mlflow\nmodel = mlflow.sklearn.load_model('models:/churn/Production')\n",
        "import mlflow.pyfunc\npredictor = mlflow.pyfunc.load_model(model_uri)\n",
        "from mlflow import pytorch as mlt\nnet = mlt.load_model(uri)\n",
        Example(
            "import mlflow\nm1 = mlflow.lightgbm.load_model(a)\nm2 = mlflow.statsmodels.load_model(b)\nm3 = mlflow.pmdarima.load_model(c)\n",
            expect=3,
        ),
    )
    valid = (
        "import skops.io as sio\n\nmodel = sio.load('model.skops', trusted=['sklearn.ensemble._forest.RandomForestClassifier'])\n",
        "import joblib\njoblib.dump(model, 'model.joblib')\n",
        "import json\nconfig = json.load(open('config.json'))\n",
        "def load(path):\n    return open(path).read()\n\nmodel = load('model.joblib')\n",
        "import skops.io as sio\nunknown = sio.get_untrusted_types(file=path)\nreviewed = [t for t in unknown if t in ALLOWED]\nmodel = sio.load(path, trusted=reviewed)\n",
        "import skops.io as sio\n\ndef audit(path):\n    unknown = sio.get_untrusted_types(file=path)\n    print(unknown)\n\ndef restore(path, unknown):\n    return sio.load(path, trusted=unknown)\n",
        "import mlflow\nmodel = mlflow.xgboost.load_model(uri)\nsess = mlflow.onnx.load_model(uri)\nmlflow.sklearn.log_model(clf, 'model')\n",
        "# joblib.load(path) is banned here\nnote = 'never joblib.load a download'\n",
        "import pickle\nblob = pickle.dumps(model)\n",
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        # Names holding `get_untrusted_types(...)`, one set per function (module first).
        self._untrusted_names: list[set[str]] = [set()]

    def visit_FunctionDef(self, node: libcst.FunctionDef) -> None:
        self._untrusted_names.append(set())

    def leave_FunctionDef(self, original_node: libcst.FunctionDef) -> None:
        self._untrusted_names.pop()

    def visit_Assign(self, node: libcst.Assign) -> None:
        for target in node.targets:
            self._track(target.target, node.value)

    def visit_AnnAssign(self, node: libcst.AnnAssign) -> None:
        if node.value is not None:
            self._track(node.target, node.value)

    def _track(self, target: libcst.BaseExpression, value: libcst.BaseExpression) -> None:
        if not isinstance(target, cst.Name):
            return
        if self._from_untrusted_types(value):
            self._untrusted_names[-1].add(target.value)
        else:
            self._untrusted_names[-1].discard(target.value)

    def _from_untrusted_types(self, expr: libcst.BaseExpression) -> bool:
        """Is `expr` the result of `get_untrusted_types(...)`, possibly through `list(...)`?"""
        if isinstance(expr, cst.Name):
            return expr.value in self._untrusted_names[-1]
        if not isinstance(expr, cst.Call):
            return False
        callee = self.names.qualified(expr.func)
        if callee in UNTRUSTED_TYPES:
            return True
        if callee in _PASS_THROUGH and len(expr.args) == 1 and not expr.args[0].star:
            return self._from_untrusted_types(expr.args[0].value)
        return False

    def visit_Call(self, node: libcst.Call) -> None:
        qualified = self.qualified_name(node.func)
        if not qualified:
            return
        if qualified in JOBLIB:
            self.report(node, JOBLIB[qualified])
        elif qualified in MLFLOW:
            self.report(
                node,
                f"`{qualified}` unpickles the model: {MLFLOW[qualified]}; load only models that "
                "trusted pipelines wrote",
            )
        elif qualified in SKOPS_LOADERS:
            self._check_skops(node, qualified)

    def _check_skops(self, node: libcst.Call, qualified: str) -> None:
        trusted = self.args.get(node, "trusted", 1)
        if trusted is None:
            return
        if self.args.constant(trusted.value) is True:
            self.report(
                node,
                f"`{qualified}` with `trusted=True` trusts every type in the file, which is unpickling "
                "it; pass the reviewed type names as a list",
            )
        elif self._from_untrusted_types(trusted.value):
            self.report(
                node,
                f"`{qualified}` trusts whatever the file asks for: `trusted=` comes from "
                "`get_untrusted_types()`; review the types and pass the allowed names as literals",
            )
