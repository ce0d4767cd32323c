# %% [markdown]
# Exploring the embeddings dump from the vendor. Careful: the vendor's docs say to call
# `np.load(f, allow_pickle=True)` and `torch.load(f)`, which aisec flags.

# %%
import pickle

import numpy as np
import torch as t
from datasets import load_dataset
from joblib import load as jl
from sentence_transformers import SentenceTransformer

# %%
nn_lib = t
emb = np.load("vendor/embeddings.npz", allow_pickle=True)
meta = np.load("vendor/meta.npy")
ckpt = nn_lib.load("vendor/model.pt")

# %%
clf = jl("vendor/classifier.pkl")
blob = pickle.dumps(clf)


# %%
def load(path):
    """Our own loader: reads text, nothing to do with torch.load."""
    with open(path) as handle:
        return handle.read()


notes = load("vendor/README.txt")

# %%
ds = load_dataset("vendor/tickets", trust_remote_code=True)
encoder = SentenceTransformer("vendor/encoder", trust_remote_code=True)
weights = t.load("vendor/weights.pt", weights_only=True)
