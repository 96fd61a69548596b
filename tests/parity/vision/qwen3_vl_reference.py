#!/usr/bin/python3
"""Independent reference for Avocado's Qwen3-VL vision tower and image preprocessing.

Written from the published algorithms (transformers models/qwen3_vl/modeling_qwen3_vl.py, models/qwen2_vl/
image_processing_qwen2_vl.py, models/qwen3_vl/video_processing_qwen3_vl.py), not from the C# code, and runs on
Debian's python3-torch (1.13), python3-numpy and python3-pil; transformers itself is not needed. Where the C#
code is clever (a matmul for the Conv3d, positions generated directly in merge-block order, one batched call per
video) this file is plain (a real conv3d, row-major grids permuted afterwards, a loop over every frame group).

Usage: qwen3_vl_reference.py COMMAND JOB.json, where JOB.json names the inputs and the output file:
  tower         {"config": vision_config, "weights": f.safetensors, "inputs": f.safetensors, "output": f.safetensors}
  resize        {"cases": [{"input", "width", "height", "new_width", "new_height", "filter", "output"}]}  raw RGB24
  smart-resize  {"images": [[h, w, factor, min, max]], "videos": [[t, h, w, tf, factor, min, max]], "output": f.json}
  preprocess    {"kind": "image"|"video", "frames": [raw RGB24 paths], "width", "height", "patch_size", "merge_size",
                 "temporal_patch_size", "min_pixels", "max_pixels", "mean", "std", "output": f.safetensors}
"""
import json
import math
import struct
import sys

import numpy as np

# ---------------------------------------------------------------------------------------------- safetensors (numpy)
DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I64": np.int64, "I32": np.int32, "U8": np.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_len])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = np.dtype(DTYPES[entry["dtype"]])
        begin, end = entry["data_offsets"]
        flat = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=8 + header_len + begin)
        tensors[name] = flat.reshape(entry["shape"]).copy()
    return tensors


def write_safetensors(path, tensors):
    names = {np.dtype(v): k for k, v in DTYPES.items()}
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        blob = array.tobytes()
        header[name] = {"dtype": names[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


# ---------------------------------------------------------------------------------------------------- vision tower
def tower(job):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(1)
    cfg = job["config"]
    prefix = "model.visual."
    W = {k[len(prefix):]: torch.from_numpy(v) for k, v in read_safetensors(job["weights"]).items() if k.startswith(prefix)}
    inputs = read_safetensors(job["inputs"])
    patches = torch.from_numpy(inputs["patches"])
    grids = [tuple(int(x) for x in row) for row in inputs["grid_thw"]]

    hidden, heads, m = cfg["hidden_size"], cfg["num_heads"], cfg["spatial_merge_size"]
    p, tp, channels = cfg["patch_size"], cfg["temporal_patch_size"], cfg["in_channels"]
    head_dim = hidden // heads
    side = int(round(math.sqrt(cfg["num_position_embeddings"])))

    def to_merge_blocks(rows_major, t, h, w):
        """(h, w, ...) grid, row-major → repeated t times, then 2x2 blocks row-major, patches row-major inside."""
        rest = rows_major.shape[2:]
        x = rows_major.unsqueeze(0).expand(t, h, w, *rest).reshape(t, h // m, m, w // m, m, *rest)
        return x.permute(0, 1, 3, 2, 4, *range(5, 5 + len(rest))).reshape(-1, *rest)

    # Conv3d with kernel = stride over each (C, T, p, p) patch.
    x = F.conv3d(patches.view(-1, channels, tp, p, p), W["patch_embed.proj.weight"], W["patch_embed.proj.bias"],
                 stride=(tp, p, p)).view(-1, hidden)

    # Learned positions: the side x side table sampled bilinearly on an h x w lattice spanning it corner to corner.
    table = W["pos_embed.weight"].view(side, side, hidden)
    positions = []
    for t, h, w in grids:
        rows, cols = torch.linspace(0, side - 1, h), torch.linspace(0, side - 1, w)
        r0, c0 = rows.int().long(), cols.int().long()
        r1, c1 = (r0 + 1).clamp(max=side - 1), (c0 + 1).clamp(max=side - 1)
        fr, fc = (rows - r0)[:, None, None], (cols - c0)[None, :, None]
        grid = (table[r0][:, c0] * ((1 - fr) * (1 - fc)) + table[r0][:, c1] * ((1 - fr) * fc)
                + table[r1][:, c0] * (fr * (1 - fc)) + table[r1][:, c1] * (fr * fc))
        positions.append(to_merge_blocks(grid, t, h, w))
    x = x + torch.cat(positions)

    # 2-D rotary: half the head rotates by the patch row, half by its column.
    dim = head_dim // 2
    inv_freq = 1.0 / (10000 ** (torch.arange(0, dim, 2, dtype=torch.float) / dim))
    coords = []
    for t, h, w in grids:
        rc = torch.stack(torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij"), -1)  # (h, w, 2)
        coords.append(to_merge_blocks(rc, t, h, w))
    coords = torch.cat(coords).float()
    angles = torch.cat([coords[:, 0:1] * inv_freq, coords[:, 1:2] * inv_freq], -1)
    emb = torch.cat([angles, angles], -1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    lengths = [h * w for t, h, w in grids for _ in range(t)]  # one attention window per frame group

    def rotate(v):
        half = v.shape[-1] // 2
        return v * cos + torch.cat([-v[..., half:], v[..., :half]], -1) * sin

    def layer_norm(v, name, width):
        return F.layer_norm(v, (width,), W[name + ".weight"], W[name + ".bias"], 1e-6)

    def linear(v, name):
        return F.linear(v, W[name + ".weight"], W[name + ".bias"])

    def attention(v, name):
        n = v.shape[0]
        q, k, val = linear(v, name + ".qkv").view(n, 3, heads, head_dim).unbind(1)  # (N, H, d) each
        q, k = rotate(q), rotate(k)
        outputs, start = [], 0
        for length in lengths:
            qi, ki, vi = (z[start:start + length].transpose(0, 1) for z in (q, k, val))  # (H, L, d)
            weights = torch.softmax(qi @ ki.transpose(1, 2) * head_dim ** -0.5, dim=-1)
            outputs.append((weights @ vi).transpose(0, 1).reshape(length, hidden))
            start += length
        return linear(torch.cat(outputs), name + ".proj")

    def merge(v, name, norm_after_grouping):
        group = hidden * m * m
        if norm_after_grouping:
            v = layer_norm(v.reshape(-1, group), name + ".norm", group)
        else:
            v = layer_norm(v, name + ".norm", hidden).reshape(-1, group)
        return linear(F.gelu(linear(v, name + ".linear_fc1")), name + ".linear_fc2")

    deepstack = {}
    for i in range(cfg["depth"]):
        b = "blocks.%d" % i
        x = x + attention(layer_norm(x, b + ".norm1", hidden), b + ".attn")
        x = x + linear(F.gelu(linear(layer_norm(x, b + ".norm2", hidden), b + ".mlp.linear_fc1"), approximate="tanh"),
                       b + ".mlp.linear_fc2")
        if i in cfg["deepstack_visual_indexes"]:
            j = cfg["deepstack_visual_indexes"].index(i)
            deepstack["deepstack.%d" % len(deepstack)] = merge(x, "deepstack_merger_list.%d" % j, True).numpy()
    out = {"merged": merge(x, "merger", False).numpy()}
    out.update(deepstack)
    write_safetensors(job["output"], out)


# ---------------------------------------------------------------------------------------------------- preprocessing
def pil_filter(name):
    from PIL import Image
    return {"bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}[name]


def resize(job):
    from PIL import Image
    for case in job["cases"]:
        with open(case["input"], "rb") as f:
            image = Image.frombytes("RGB", (case["width"], case["height"]), f.read())
        resized = image.resize((case["new_width"], case["new_height"]), resample=pil_filter(case["filter"]))
        with open(case["output"], "wb") as f:
            f.write(resized.tobytes())


def smart_resize_image(height, width, factor, min_pixels, max_pixels):
    if height < factor or width < factor:
        raise ValueError("smaller than factor")
    if max(height, width) / min(height, width) > 200:
        raise ValueError("aspect ratio")
    h_bar, w_bar = round(height / factor) * factor, round(width / factor) * factor
    if h_bar * w_bar > max_pixels:
        beta = math.sqrt((height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (height * width))
        h_bar, w_bar = math.ceil(height * beta / factor) * factor, math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def smart_resize_video(frames, height, width, temporal_factor, factor, min_pixels, max_pixels):
    if frames < temporal_factor:
        raise ValueError("too few frames")
    if height < factor or width < factor:
        scale = max(factor / height, factor / width)
        height, width = int(height * scale), int(width * scale)
    if max(height, width) / min(height, width) > 200:
        raise ValueError("aspect ratio")
    h_bar, w_bar = round(height / factor) * factor, round(width / factor) * factor
    t_bar = round(frames / temporal_factor) * temporal_factor
    if t_bar * h_bar * w_bar > max_pixels:
        beta = math.sqrt((frames * height * width) / max_pixels)
        h_bar = max(factor, math.floor(height / beta / factor) * factor)
        w_bar = max(factor, math.floor(width / beta / factor) * factor)
    elif t_bar * h_bar * w_bar < min_pixels:
        beta = math.sqrt(min_pixels / (frames * height * width))
        h_bar, w_bar = math.ceil(height * beta / factor) * factor, math.ceil(width * beta / factor) * factor
    return h_bar, w_bar


def smart_resize(job):
    def attempt(fn, args):
        try:
            return list(fn(*args))
        except ValueError:
            return None
    result = {"images": [attempt(smart_resize_image, c) for c in job["images"]],
              "videos": [attempt(smart_resize_video, c) for c in job["videos"]]}
    with open(job["output"], "w") as f:
        json.dump(result, f)


def preprocess(job):
    """Qwen2VLImageProcessor._preprocess with Pillow: resize, rescale (float64) then normalise (float32), CHW,
    pad the frames to a multiple of T with the last one, patchify in merge-block order."""
    from PIL import Image
    p, m, tp = job["patch_size"], job["merge_size"], job["temporal_patch_size"]
    if job["kind"] == "image":
        h, w = smart_resize_image(job["height"], job["width"], p * m, job["min_pixels"], job["max_pixels"])
    else:
        h, w = smart_resize_video(len(job["frames"]), job["height"], job["width"], tp, p * m, job["min_pixels"], job["max_pixels"])
    mean, std = np.array(job["mean"], dtype=np.float32), np.array(job["std"], dtype=np.float32)
    frames = []
    for path in job["frames"]:
        with open(path, "rb") as f:
            image = Image.frombytes("RGB", (job["width"], job["height"]), f.read())
        pixels = np.array(image.resize((w, h), resample=Image.BICUBIC))
        scaled = (pixels.astype(np.float64) * (1 / 255)).astype(np.float32)
        frames.append(((scaled - mean) / std).transpose(2, 0, 1))
    stack = np.stack(frames)
    if stack.shape[0] % tp:
        stack = np.concatenate([stack, np.repeat(stack[-1:], tp - stack.shape[0] % tp, axis=0)])
    gt, gh, gw = stack.shape[0] // tp, h // p, w // p
    patches = stack.reshape(gt, tp, 3, gh // m, m, p, gw // m, m, p).transpose(0, 3, 6, 4, 7, 2, 1, 5, 8)
    write_safetensors(job["output"], {"patches": patches.reshape(gt * gh * gw, 3 * tp * p * p),
                                      "grid_thw": np.array([gt, gh, gw], dtype=np.int64)})


if __name__ == "__main__":
    commands = {"tower": tower, "resize": resize, "smart-resize": smart_resize, "preprocess": preprocess}
    if len(sys.argv) != 3 or sys.argv[1] not in commands:
        sys.exit("usage: qwen3_vl_reference.py {%s} JOB.json" % "|".join(commands))
    with open(sys.argv[2]) as f:
        commands[sys.argv[1]](json.load(f))
