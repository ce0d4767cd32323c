# Annotated in semgrep style: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
import functools

import joblib
import numpy as np
import torch
from keras.models import load_model

try:
    import cloudpickle
except ImportError:
    cloudpickle = None

# ruleid: AIS102
model = torch.load("model.pt")
# ruleid: AIS102
model = torch.load(path, map_location="cpu", weights_only=False)
# ruleid: AIS102
model = torch.load(path, pickle_module=cloudpickle)
# ruleid: AIS102
load = functools.partial(torch.load, weights_only=False)
# ruleid: AIS102
shards = list(map(torch.load, shard_paths))
# ok: AIS102
state = torch.load(path, weights_only=True)
# ok: AIS102
torch.save(model.state_dict(), "model.pt")
# ok: AIS102
safe_load = functools.partial(torch.load, weights_only=True)
# ruleid: AIS101
fn = cloudpickle.loads(payload)

# ruleid: AIS103
arr = np.load("features.npy", allow_pickle=True)
# ruleid: AIS103
arr = np.load(path, None, True)
# ok: AIS103
arr = np.load("features.npy")
# ok: AIS103
arr = np.load(path, allow_pickle=False)
# ok: AIS103
arr = np.load(path, allow_pickle=[])
# ok: AIS103
arr = np.load(path, allow_pickle=0)
# ok: AIS103
np.save("out.npy", arr, allow_pickle=True)

# ruleid: AIS104
clf = joblib.load("model.joblib")
# ok: AIS104
joblib.dump(clf, "model.joblib")

# ruleid: AIS109
legacy = load_model("ocr_legacy.h5")
# ruleid: AIS109
unsafe = load_model("model.keras", safe_mode=False)
# ok: AIS109
model = load_model("model.keras")
