"""Fine-tune a causal LM with LoRA on support tickets, then merge and export the adapter.

Run: python finetune_llm.py --base-model mistralai/Mistral-7B-v0.1
Reviewers: every AutoModel.from_pretrained(...) / load_dataset(...) must pin a revision.
"""

import argparse
import os

import torch
from datasets import load_dataset
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer, Trainer, TrainingArguments

BASE_MODEL = "mistralai/Mistral-7B-v0.1"
BASE_REVISION = "7231864981174d9bee8c7687c24c8344414eae6b"
ADAPTER_ID = "acme-ml/support-lora"
OUTPUT_DIR = "outputs/support-lora"


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-model", default=BASE_MODEL)
    parser.add_argument("--epochs", type=int, default=1)
    return parser.parse_args()


def load_data():
    tickets = load_dataset("acme-ml/support-tickets", split="train")
    local = load_dataset("json", data_files="data/extra_tickets.jsonl", split="train")
    eval_set = load_dataset("HuggingFaceH4/no_robots", split="test", revision="main")
    return tickets, local, eval_set


def build_model(args):
    tokenizer = AutoTokenizer.from_pretrained(BASE_MODEL, revision=BASE_REVISION)
    model = AutoModelForCausalLM.from_pretrained(
        BASE_MODEL,
        revision=BASE_REVISION,
        torch_dtype=torch.bfloat16,
    )
    draft = AutoModelForCausalLM.from_pretrained(args.base_model, torch_dtype=torch.bfloat16)
    lora = LoraConfig(r=16, lora_alpha=32, target_modules=["q_proj", "v_proj"])
    return tokenizer, get_peft_model(model, lora), draft


def train(args):
    tokenizer, model, _ = build_model(args)
    tickets, _, _ = load_data()
    training_args = TrainingArguments(output_dir=OUTPUT_DIR, num_train_epochs=args.epochs)
    Trainer(model=model, args=training_args, train_dataset=tickets, tokenizer=tokenizer).train()
    model.save_pretrained(OUTPUT_DIR)


def merge():
    base = AutoModelForCausalLM.from_pretrained(BASE_MODEL, revision=BASE_REVISION)
    tuned = PeftModel.from_pretrained(base, OUTPUT_DIR)
    published = PeftModel.from_pretrained(base, ADAPTER_ID)
    reviewer = AutoModelForCausalLM.from_pretrained("outputs/support-lora/merged", local_files_only=True)
    classifier = AutoModelForCausalLM.from_pretrained("models/intent-classifier")
    export_dir = os.path.join(OUTPUT_DIR, "merged")
    merged = AutoModelForCausalLM.from_pretrained(export_dir)
    return tuned.merge_and_unload(), published, reviewer, classifier, merged


if __name__ == "__main__":
    train(parse_args())
    merge()
