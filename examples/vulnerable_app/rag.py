"""Retrieval-augmented answers: a FAISS index of support articles and a Hugging Face model.

Lines marked `# issue:` are real vulnerabilities; `# safe:` marks look-alikes.
"""

from huggingface_hub import hf_hub_download
from langchain_community.vectorstores import FAISS
from langchain_huggingface import HuggingFaceEmbeddings
from transformers import AutoModelForCausalLM, AutoTokenizer

MODEL_ID = "acme-ai/support-7b"
MODEL_REVISION = "4f3c2a1b0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b"  # a full 40-hex commit

embeddings = HuggingFaceEmbeddings(model_name="./models/all-MiniLM-L6-v2")  # safe: a local folder


def open_index(path):
    return FAISS.load_local(path, embeddings, allow_dangerous_deserialization=True)  # issue: AIS110 index.pkl is a pickle


def open_index_safely(path):
    return FAISS.load_local(path, embeddings)  # safe: refuses to unpickle


def load_model():
    return AutoModelForCausalLM.from_pretrained(MODEL_ID, revision=MODEL_REVISION, trust_remote_code=True)  # issue: AIS106 runs the repo's Python


def load_tokenizer():
    return AutoTokenizer.from_pretrained(MODEL_ID)  # issue: AIS107 unpinned: the repo can change under you


def load_pinned_tokenizer():
    return AutoTokenizer.from_pretrained(MODEL_ID, revision=MODEL_REVISION)  # safe: pinned to a commit


def load_local_model():
    return AutoModelForCausalLM.from_pretrained("./models/support-7b", trust_remote_code=False)  # safe: local, no remote code


def fetch_prompt_template():
    return hf_hub_download(MODEL_ID, "prompt.txt")  # issue: AIS107 unpinned file download


def fetch_pinned_template():
    return hf_hub_download(MODEL_ID, "prompt.txt", revision=MODEL_REVISION)  # safe: pinned to a commit
