# %% [markdown]
# Exploring detectors from torch.hub and timm for the shelf-monitoring prototype.

# %%
import timm
import torch
from torch.hub import load_state_dict_from_url

# %%
yolo = torch.hub.load("ultralytics/yolov5", "yolov5s", pretrained=True)
resnet = torch.hub.load("pytorch/vision:v0.10.0", "resnet18", weights="IMAGENET1K_V1", trust_repo=True)
dino = torch.hub.load("facebookresearch/dinov2:e1277af2ba9496fbadf7aec6eba56e8d882d1e35", "dinov2_vits14")
custom = torch.hub.load("third_party/detector", "custom", source="local")

# %%
state = load_state_dict_from_url("https://download.example.com/shelf/rcnn.pth")
state_checked = load_state_dict_from_url(
    "https://download.example.com/shelf/rcnn-4c1f2a.pth", check_hash=True, weights_only=True
)
zoo_state = torch.utils.model_zoo.load_url("https://download.example.com/shelf/head.pth", weights_only=False)

# %%
backbone = timm.create_model("hf-hub:timm/convnext_tiny.fb_in22k", pretrained=True)
pinned = timm.create_model(
    "hf-hub:timm/vit_small_patch16_224.augreg_in21k@3f6b6d6ef7f8e5a4c2b1d0e9f8a7b6c5d4e3f2a1", pretrained=True
)
arch_only = timm.create_model("resnet50", pretrained=True)
