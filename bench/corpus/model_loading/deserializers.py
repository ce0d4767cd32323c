# Annotated in semgrep style: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
# Cases written for aisec in the style of bandit/semgrep/trailofbits/dlint deserialization tests.
import functools
import io
import marshal
import pickle
import shelve

import dill
import jsonpickle
import msgpack
import msgpack_numpy as mnp
import pandas as pd
import torch.distributed as dist
import yaml
from multiprocessing.connection import Client

# ruleid: AIS101
obj = pickle.loads(blob)
# ruleid: AIS101
obj = pickle.load(open("state.pkl", "rb"))
# ruleid: AIS101
obj = pickle.Unpickler(io.BytesIO(blob)).load()
# ruleid: AIS101
obj = dill.loads(blob)
# ruleid: AIS101
obj = jsonpickle.decode(text)
# ruleid: AIS101
db = shelve.open("cache")
# ruleid: AIS101
code = marshal.loads(blob)
# ruleid: AIS101
frame = pd.read_pickle("frame.pkl")
# ruleid: AIS101
objects = list(map(pickle.load, handles))
# ruleid: AIS101
restore = functools.partial(pickle.loads, fix_imports=False)
# ruleid: AIS101
x = msgpack.unpackb(packed, object_hook=mnp.decode)
# ruleid: AIS101
dist.broadcast_object_list(objects, src=0)
# ruleid: AIS101
dist.all_gather_object(output, item)
conn = Client(("localhost", 6000))
# ruleid: AIS101
message = conn.recv()
# ok: AIS101
blob = pickle.dumps(obj)
# ok: AIS101
pickle.dump(obj, open("out.pkl", "wb"))
# ok: AIS101
frame.to_pickle("frame.pkl")
# ok: AIS101
code_blob = marshal.dumps(code)
# ok: AIS101
x = msgpack.unpackb(packed, raw=False)
# ok: AIS101
dist.scatter(output_list, inputs, src=0)
# ok: AIS101
packed = msgpack.packb(x)


class Allowlisted(pickle.Unpickler):
    def find_class(self, module, name):
        if (module, name) in {("collections", "OrderedDict")}:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(name)


# ruleid: AIS101
class Renaming(pickle.Unpickler):
    def find_class(self, module, name):
        if module == "legacy.models":
            module = "models"
        return super().find_class(module, name)


# ruleid: AIS105
cfg = yaml.load(text)
# ruleid: AIS105
cfg = yaml.load(text, Loader=yaml.Loader)
# ruleid: AIS105
cfg = yaml.unsafe_load(text)
# ruleid: AIS105
docs = yaml.load_all(text, Loader=yaml.UnsafeLoader)
# ruleid: AIS105
cfg = yaml.full_load(text)
# ok: AIS105
cfg = yaml.safe_load(text)
# ok: AIS105
cfg = yaml.load(text, Loader=yaml.SafeLoader)
# ok: AIS105
cfg = yaml.load(text, yaml.CSafeLoader)
# ok: AIS105
out = yaml.dump(cfg)
