# Cases re-written for aisec after the categories of the peers' annotated suites (bandit
# examples, semgrep-rules and trailofbits rule tests, ruff S301/S506 fixtures, TorchFix TOR102,
# dlint and CodeQL decoding tests). Annotations: `# ruleid: CODE` / `# ok: CODE` for the next
# code line. Where a peer disagrees with aisec's documented policy the label follows aisec and a
# `disputed:` comment says who disagrees.
import _pickle
import datasets
import jsonpickle
import numpy
import pandas
import shelve
import torch
import transformers
import yaml
from joblib import load as joblib_load
from ruamel.yaml import YAML
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, pipeline

import cPickle
import dill

CHECKPOINT = "org/model"
PINNED = "5d0f2e8a7f1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d"

# --- pickle family
# ruleid: AIS101
cPickle.loads(data)
# ruleid: AIS101
_pickle.load(stream)
# ruleid: AIS101
dill.load(open("session.pkl", "rb"))
# ruleid: AIS101
jsonpickle.unpickler.decode(text)
# ruleid: AIS101
shelve.DbfilenameShelf("store", flag="r")
# ruleid: AIS101
pandas.read_pickle(buffer)
# ok: AIS101
dill.dumps(obj)
# ok: AIS101
jsonpickle.encode(obj)
# ok: AIS101
pandas.read_csv("frame.csv")

# --- yaml
# ruleid: AIS105
yaml.load(stream, Loader=yaml.FullLoader)
# ruleid: AIS105
yaml.load(stream, yaml.CLoader)
# ruleid: AIS105
yaml.unsafe_load_all(stream)
# ruleid: AIS105
yaml.full_load_all(stream)
# ruleid: AIS105
unsafe = YAML(typ="unsafe")
# ok: AIS105
yaml.load(stream, Loader=yaml.BaseLoader)
# ok: AIS105
yaml.safe_load_all(stream)
# ok: AIS105
yaml.dump_all(documents)
# ok: AIS105
rt = YAML(typ="rt")
# ok: AIS105
rt.load("thing.yaml")

# --- torch.load
# ruleid: AIS102
torch.load(stream, map_location="cpu")
# ruleid: AIS102
torch.serialization.load(stream)
# ruleid: AIS102
torch.load(stream, weights_only=use_weights_only)
# ok: AIS102
torch.load(stream, weights_only=True, map_location="cpu")
# ok: AIS102
model.load_state_dict(torch.load("w.pt", weights_only=True))
# ok: AIS102
torch.save(obj, "w.pt")

# --- numpy allow_pickle (trailofbits: any value but False/None/[]/"")
# ruleid: AIS103
numpy.load(path, allow_pickle=1)
# ruleid: AIS103
numpy.load(path, allow_pickle=3, encoding="latin1")
# ruleid: AIS103
numpy.load(allow_pickle="False", file=path)
# disputed: trailofbits exempts a literal path; a committed .npy is the threat
# ruleid: AIS103
numpy.load("features.npy", allow_pickle=True)
# ok: AIS103
numpy.load(path, allow_pickle=None)
# ok: AIS103
numpy.load(path, allow_pickle="")
# ok: AIS103
numpy.load(path, encoding="latin1")

# --- joblib
# ruleid: AIS104
joblib_load(path)
# ok: AIS104
joblib_dump = None

# --- Hugging Face: remote code
# ruleid: AIS106
AutoConfig.from_pretrained(CHECKPOINT, revision=PINNED, trust_remote_code=True)
# ruleid: AIS106
transformers.pipeline("text-generation", model=CHECKPOINT, revision=PINNED, trust_remote_code=True)
# ruleid: AIS106
datasets.load_dataset("org/dataset", split="train", revision=PINNED, trust_remote_code=True)
# ok: AIS106
transformers.pipeline("text-generation", model=CHECKPOINT, revision=PINNED, trust_remote_code=False)
# ok: AIS106
datasets.load_dataset("org/dataset", split="train", revision=PINNED)

# --- Hugging Face: unpinned downloads (bandit B615)
# ruleid: AIS107
AutoTokenizer.from_pretrained("bert-base-uncased")
# ruleid: AIS107
datasets.load_dataset("imdb")
# disputed: bandit accepts any revision; "main" is a moving branch
# ruleid: AIS107
AutoModelForCausalLM.from_pretrained("deepseek-ai/DeepSeek-V3", revision="main")
# disputed: bandit accepts an auth token; a private repo can still change under you
# ruleid: AIS107
AutoModelForCausalLM.from_pretrained("private/model", token=True)
# ok: AIS107
AutoModelForCausalLM.from_pretrained("google-bert/bert-base-uncased", revision=PINNED)
# ok: AIS107
AutoModelForCausalLM.from_pretrained("/path/to/model")
# ok: AIS107
pipeline("sentiment-analysis")
