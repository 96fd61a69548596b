"""Independent reference for Gemma 3's image path: SigLIP vision tower + Gemma3MultiModalProjector, written from the
published transformers modeling code (models/siglip/modeling_siglip.py, models/gemma3/modeling_gemma3.py) in plain
PyTorch. Usage: gemma3_vision_reference.py CHECKPOINT_DIR PIXELS.safetensors OUT.safetensors
Reads config.json and every *.safetensors of the checkpoint (either transformers layout), the pixel tensor
"pixel_values" (N, 3, S, S), and writes "features" (N, mm_tokens_per_image, text_hidden)."""
import glob
import json
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_np  # noqa: E402

torch.set_num_threads(1)


def load(directory):
    weights = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.safetensors"))):
        for name, array in safetensors_np.read(path).items():
            for old, new in (("model.vision_tower.", "vision_tower."), ("model.multi_modal_projector.", "multi_modal_projector.")):
                if name.startswith(old):
                    name = new + name[len(old):]
            weights[name] = torch.from_numpy(array).float()
    return weights


def layer_norm(x, w, prefix, eps):
    return F.layer_norm(x, (x.shape[-1],), w[prefix + ".weight"], w[prefix + ".bias"], eps)


def linear(x, w, prefix):
    return F.linear(x, w[prefix + ".weight"], w.get(prefix + ".bias"))


def siglip(pixels, w, vc):
    p = "vision_tower.vision_model."
    patch = vc["patch_size"]
    x = F.conv2d(pixels, w[p + "embeddings.patch_embedding.weight"], w[p + "embeddings.patch_embedding.bias"], stride=patch)
    x = x.flatten(2).transpose(1, 2)  # (N, P, C)
    x = x + w[p + "embeddings.position_embedding.weight"][torch.arange(x.shape[1])]
    heads = vc["num_attention_heads"]
    eps = vc.get("layer_norm_eps", 1e-6)
    for i in range(vc["num_hidden_layers"]):
        l = p + f"encoder.layers.{i}."
        residual = x
        h = layer_norm(x, w, l + "layer_norm1", eps)
        n, t, c = h.shape
        d = c // heads
        q = linear(h, w, l + "self_attn.q_proj").view(n, t, heads, d).transpose(1, 2)
        k = linear(h, w, l + "self_attn.k_proj").view(n, t, heads, d).transpose(1, 2)
        v = linear(h, w, l + "self_attn.v_proj").view(n, t, heads, d).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(2, 3)) * (d ** -0.5)
        probs = torch.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        attn = torch.matmul(probs, v).transpose(1, 2).reshape(n, t, c)
        x = residual + linear(attn, w, l + "self_attn.out_proj")
        residual = x
        h = layer_norm(x, w, l + "layer_norm2", eps)
        h = linear(F.gelu(linear(h, w, l + "mlp.fc1"), approximate="tanh"), w, l + "mlp.fc2")
        x = residual + h
    return layer_norm(x, w, p + "post_layernorm", eps)


def gemma_rms_norm(x, weight, eps):
    x32 = x.float()
    normed = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    return (normed * (1.0 + weight.float())).type_as(x)


def projector(features, w, config):
    vc = config["vision_config"]
    per_side = vc["image_size"] // vc["patch_size"]
    tokens_per_side = int(config["mm_tokens_per_image"] ** 0.5)
    kernel = per_side // tokens_per_side
    n, _, c = features.shape
    grid = features.transpose(1, 2).reshape(n, c, per_side, per_side).contiguous()
    pooled = F.avg_pool2d(grid, kernel_size=kernel, stride=kernel).flatten(2).transpose(1, 2)
    normed = gemma_rms_norm(pooled, w["multi_modal_projector.mm_soft_emb_norm.weight"], vc.get("layer_norm_eps", 1e-6))
    return torch.matmul(normed, w["multi_modal_projector.mm_input_projection_weight"])


def main():
    directory, pixels_path, out_path = sys.argv[1:4]
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    w = load(directory)
    pixels = torch.from_numpy(safetensors_np.read(pixels_path)["pixel_values"]).float()
    with torch.no_grad():
        features = projector(siglip(pixels, w, config["vision_config"]), w, config)
    safetensors_np.write(out_path, {"features": features.numpy()})


if __name__ == "__main__":
    main()
