# Annotated in semgrep style: `# ruleid: CODE` / `# ok: CODE` apply to the next code line.
import argparse

import torch
from datasets import load_dataset
from huggingface_hub import hf_hub_download, snapshot_download
from transformers import AutoModel, AutoModelForCausalLM, AutoTokenizer, pipeline
from vllm import LLM

SHA = "0123456789abcdef0123456789abcdef01234567"
MODEL_ID = "org/model"

# ruleid: AIS107
tok = AutoTokenizer.from_pretrained("org/tok")
# ok: AIS107
ids = tok("some text")
# ruleid: AIS107
m = AutoModel.from_pretrained(MODEL_ID, revision="main")
# ruleid: AIS107
path = hf_hub_download("org/weights", "model.safetensors")
# ruleid: AIS107
folder = snapshot_download(repo_id="org/model")
# ruleid: AIS107
ds = load_dataset("org/data", split="train")
# ruleid: AIS107
gen = pipeline("text-generation", model="org/gen")
# ruleid: AIS107
llm = LLM(model="mistralai/Mistral-7B-Instruct-v0.3")
# ok: AIS107
m = AutoModel.from_pretrained(MODEL_ID, revision=SHA)
# ok: AIS107
m = AutoModel.from_pretrained("./checkpoints/best")
# ok: AIS107
ds = load_dataset("csv", data_files="train.csv")
# ok: AIS107
gen = pipeline("text-generation", model=m)


def build(size, name="org/default-model"):
    # ruleid: AIS107
    a = AutoModelForCausalLM.from_pretrained(f"meta-llama/Llama-2-{size}b-hf")
    # ruleid: AIS107
    b = AutoModelForCausalLM.from_pretrained(name)
    # ok: AIS107
    c = AutoModelForCausalLM.from_pretrained(f"checkpoints/{size}")
    return a, b, c


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    args = parser.parse_args()
    # ok: AIS107
    model = AutoModel.from_pretrained(args.model)
    # ok: AIS107
    out = model(torch.zeros(1, 8))
    return out


# ruleid: AIS106
m = AutoModel.from_pretrained("org/custom", revision=SHA, trust_remote_code=True)
LOAD_KWARGS = {"trust_remote_code": True}
# ruleid: AIS106
m = AutoModel.from_pretrained("org/custom", revision=SHA, **LOAD_KWARGS)
# ok: AIS106
m = AutoModel.from_pretrained("org/plain", revision=SHA, trust_remote_code=False)

# ruleid: AIS108
net = torch.hub.load("pytorch/vision", "resnet18")
# ok: AIS108
pred = net(batch)
