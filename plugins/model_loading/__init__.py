"""Model-loading rules (AIS1xx): deserializers and loaders that can run code from a file."""

from __future__ import annotations

from aisec.hooks import Rule, hookimpl

from .joblib_load import JoblibLoad
from .keras_unsafe import KerasUnsafeDeserialization
from .langchain_deserialization import DangerousDeserialization
from .numpy_load import NumpyAllowPickle
from .pickle_load import PickleLoad
from .torch_hub import TorchHubLoad
from .torch_load import TorchLoadUnsafe
from .trust_remote_code import TrustRemoteCode
from .unpinned_hub_download import UnpinnedHubDownload
from .yaml_load import YamlLoad


@hookimpl
def aisec_rules() -> list[type[Rule]]:
    return [
        PickleLoad,
        YamlLoad,
        TorchLoadUnsafe,
        NumpyAllowPickle,
        JoblibLoad,
        TrustRemoteCode,
        UnpinnedHubDownload,
        TorchHubLoad,
        KerasUnsafeDeserialization,
        DangerousDeserialization,
    ]
