"""AIS401-AIS403: findings on model artifacts (checked on files, not on code snippets).

These rules have no visitor methods: the engine inspects artifact files with the inspector this
plugin registers and reports each `ArtifactVerdict` under `verdict.code` with
`verdict.severity` and `verdict.message`. Their `valid`/`invalid` examples are empty because
artifacts are binary files; the tests in `tests/artifacts/` generate and scan them instead.
"""

from __future__ import annotations

from aisec.hooks import Confidence, Rule, Severity

_REFERENCES = (
    "https://cwe.mitre.org/data/definitions/502.html",
    "https://github.com/trailofbits/fickling",
    "https://huggingface.co/docs/hub/security-pickle",
    "https://pytorch.org/docs/stable/notes/serialization.html",
)


class MaliciousPickleArtifact(Rule):
    code = "AIS401"
    name = "malicious-pickle-artifact"
    summary = "A model artifact's pickle data imports or calls code outside the allowlist"
    severity = Severity.HIGH
    confidence = Confidence.HIGH
    cwe = "CWE-502"
    triggers = ()
    description = (
        "A model file referenced by the code (or given to `aisec check --artifacts-only`) contains "
        "pickle data that, when loaded, imports or calls something outside aisec's allowlist. Every "
        "pickle stream is inspected statically, whatever the file extension: raw pickles (protocols "
        "0-5, stacked), PyTorch zip checkpoints (every member that is a pickle, whatever its name), "
        "legacy and tar PyTorch files, pickles prepended or appended to a zip, joblib files (raw or "
        "zlib/gzip/bz2/xz/lzma/lz4-compressed, with the raw array bytes skipped), `.npy` object arrays, "
        "`.npz` members and pickles nested in bytes constants. The finding names the member "
        "(`archive/data.pkl`, `stream 4`) and the offending imports and calls.\n\n"
        "Severity is **critical** when a known-dangerous callable is called (`os.system`, "
        "`subprocess.*`, `builtins.eval/exec/getattr/__import__`, `runpy`, `pip`, `importlib`, "
        "`operator.attrgetter/methodcaller`, `pickle.loads`, ...), **high** for other calls of "
        "non-allowlisted callables, dotted attribute walks (`STACK_GLOBAL('numpy', "
        "'testing._private.utils.runstring')`) and structural tricks (calling a computed value, "
        "STACK_GLOBAL on strings computed at load time, BUILD or SETITEM on an imported object, "
        "extension-registry imports), and **medium** when non-allowlisted globals are only imported, "
        "never called."
    )
    rationale = (
        "Unpickling calls whatever the data names: a checkpoint whose pickle calls `os.system` runs "
        "that command the moment `torch.load(..., weights_only=False)`, `pickle.load`, `joblib.load` "
        "or `numpy.load(allow_pickle=True)` reads it. Published scanner bypasses rely on callables "
        "missing from denylists (`runpy._run_code`, `pip.main`, `importlib.import_module`), on "
        "attribute walks through trusted modules, on parser differentials (memo tricks, a payload "
        "before a truncated stream, joblib's raw array bytes) and on container tricks (renamed "
        "files, unusual member names, bad CRCs, pickles in front of a zip). aisec therefore judges "
        "with an exact allowlist (module + name) rather than a denylist, and walks the opcodes "
        "itself wherever fickling cannot parse."
    )
    remediation = (
        "Do not load the file. Find out where it came from and replace it with a trusted copy. "
        "Prefer formats that cannot run code: safetensors for tensors, ONNX, `skops.io` with an "
        "explicit trusted-types list for scikit-learn, `torch.load(..., weights_only=True)`. If the "
        "flagged global is one of your own classes that you trust (a full-model checkpoint of a "
        "custom `nn.Module`), add its exact name to `[tool.aisec.artifacts] allow = "
        '["mypkg.models.MyNet"]` (`module:name` for nested names).'
    )
    references = _REFERENCES
    valid = ()
    invalid = ()


class PickleArtifact(Rule):
    code = "AIS402"
    name = "pickle-artifact"
    summary = "A model artifact is pickle-based (clean, but loading pickles runs code): prefer safetensors"
    severity = Severity.INFO
    confidence = Confidence.HIGH
    cwe = "CWE-502"
    triggers = ()
    description = (
        "The artifact is pickle-based and every global its pickle data names is on the allowlist "
        "(tensor rebuild functions, `collections.OrderedDict`, NumPy reconstruction, known "
        "scikit-learn, pandas and torch.nn classes). Nothing malicious was found; the finding is "
        "informational and does not fail a run with the default `--fail-on low`."
    )
    rationale = (
        "A clean file today can be swapped for a malicious one tomorrow, and the code that loads it "
        "will run whatever the new file says. Formats that hold only data remove the risk for good."
    )
    remediation = (
        "Convert the artifact to safetensors (`safetensors.torch.save_file(model.state_dict(), "
        "'model.safetensors')`) or another data-only format, and load with "
        "`torch.load(..., weights_only=True)` where pickle must stay."
    )
    references = (*_REFERENCES, "https://huggingface.co/docs/safetensors")
    valid = ()
    invalid = ()


class ArtifactNotInspected(Rule):
    code = "AIS403"
    name = "artifact-not-inspected"
    summary = (
        "A model artifact could not be fully inspected (over a budget, truncated, corrupt, Git-LFS pointer)"
    )
    severity = Severity.HIGH
    confidence = Confidence.MEDIUM
    cwe = "CWE-502"
    triggers = ()
    description = (
        "aisec could not read all pickle data of the artifact, and says why: a budget ran out "
        "(`max-pickle-bytes` per stream, `max-opcodes`, `max-decompressed-bytes` for zip and "
        "compression bombs, `timeout-seconds`), the stream is truncated or malformed, a joblib array's "
        "size could not be determined, the data is lz4-compressed and the `lz4` package is missing, "
        "the archive is corrupt or encrypted, or the file is a Git-LFS pointer whose content is not "
        "checked out. Imports seen before the inspection stopped are listed.\n\n"
        "Severity is **high** when pickle data went unread (aisec fails closed: padding a pickle past "
        "a budget must not be a way through), **medium** for corrupt or unsupported containers, and "
        "**info** for a Git-LFS pointer."
    )
    rationale = (
        "An artifact that was only partly read cannot be called clean: the unread part may hold the "
        "payload. Attackers pad pickles, nest them in compression bombs or truncate them after the "
        "payload precisely because scanners give up quietly."
    )
    remediation = (
        "Raise the budget that ran out in `[tool.aisec.artifacts]` (`max-pickle-bytes`, "
        "`max-opcodes`, `max-decompressed-bytes`, `timeout-seconds`) if the file is legitimately "
        "that large; install `lz4` for lz4-compressed joblib files; run `git lfs pull` before "
        "scanning LFS-tracked models; replace corrupt files. Better, convert the model to "
        "safetensors."
    )
    options_doc = (
        "Budgets live in `[tool.aisec.artifacts]`: `max-pickle-bytes` (default 64 MiB per pickle "
        "stream), `max-decompressed-bytes` (2 GiB per artifact), `max-opcodes` (5,000,000 per stream), "
        "`timeout-seconds` (30 per artifact)."
    )
    references = _REFERENCES
    valid = ()
    invalid = ()


ARTIFACT_RULES: list[type[Rule]] = [MaliciousPickleArtifact, PickleArtifact, ArtifactNotInspected]
