#!/usr/bin/env python3
"""MiLaN trainer: a small CNN over 12 Sentinel-2 bands -> K-bit hash layer (tanh), exported to ONNX.

MiLaN: S. Roy, E. Sangineto, B. Demir, N. Sebe, "Metric-Learning-Based Deep Hashing Network for
Content-Based Retrieval of Remote Sensing Images", IEEE Geoscience and Remote Sensing Letters 18(2),
2021, doi:10.1109/LGRS.2020.2974629 (arXiv:1904.01258). Its three losses are used as published:
  J = J_triplet + lambda_1 * J_push + lambda_2 * J_balance
  - J_triplet: triplet loss on L2-normalised activations with online semi-hard negative mining in the
    batch (FaceNet; for each anchor-positive pair, the closest negative farther than the positive, else
    the farthest negative). Multi-label: a positive shares >= 1 label with the anchor, a negative none.
  - J_push (quantisation): pushes activations towards the binary values.
  - J_balance (bit balance): each code should have as many 1s as 0s.
Defaults alpha = 0.2, lambda_1 = 0.001, lambda_2 = 1 are those of the authors' public code
(github.com/MLEnthusiast/MHCLN, linked from the paper). The paper's hash layer is a sigmoid with
threshold 0.5; here it is tanh with threshold 0 (tanh(x) = 2 sigmoid(2x) - 1, b = (h + 1) / 2), and
J_push, J_balance are the paper's terms rewritten in h, so the weights carry over unchanged.
Unlike the paper (pre-trained Inception features, RGB), the feature extractor is a small CNN trained
from scratch on all 12 bands, so it runs on a CPU at indexing speed (about 13 M multiply-adds).

Input: a dataset folder written by build/milan/prepare-dataset.ts (dataset.json + x.f32 or x.f16,
already resampled and normalised by the app's own TypeScript preprocessing).
Output: <out>/model.onnx (input "bands" float32 [N, 12, S, S], output "codes" float32 [N, K] tanh
activations, bit = activation > 0; second output "features" float32 [N, 128], the pooled CNN features
the hash head reads, for evaluation only) and <out>/model.card.json.
Needs only numpy, torch and onnx (Debian: python3-numpy python3-torch python3-onnx).
"""
import argparse
import hashlib
import json
import os
import sys
import time
from datetime import datetime, timezone

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

CARD_FORMAT = "earthqube-hash-model/1"
DATASET_FORMAT = "earthqube-milan-dataset/1"
REFERENCE = (
    "S. Roy, E. Sangineto, B. Demir, N. Sebe, 'Metric-Learning-Based Deep Hashing Network for "
    "Content-Based Retrieval of Remote Sensing Images', IEEE GRSL 18(2), 2021, doi:10.1109/LGRS.2020.2974629"
)
ONNX_OPSET = 13
METRIC_KS = (10, 20, 100)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Train a MiLaN hashing network and export it to ONNX + model card.")
    p.add_argument("--dataset", required=True, help="folder written by prepare-dataset.ts")
    p.add_argument("--out", required=True, help="model folder: model.onnx and model.card.json go here")
    p.add_argument("--id", help="model id (default: the --out folder's name)")
    p.add_argument("--name", help="human-readable model name")
    p.add_argument("--bits", type=int, default=128, choices=(64, 128, 256))
    p.add_argument("--epochs", type=int, default=30, help="0 exports the untrained network (for tests)")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--margin", type=float, default=0.2, help="triplet margin alpha")
    p.add_argument("--lambda-push", type=float, default=0.001, help="weight of the quantisation (push-to-binary) loss")
    p.add_argument("--lambda-balance", type=float, default=1.0, help="weight of the bit-balance loss")
    p.add_argument("--beta-end", type=float, default=1.0,
                   help="continuation: the hash layer is tanh(beta * z), beta rising linearly from 1 to this value over "
                        "training, so activations end near +-1 and the codes lose nothing to the sign (HashNet); 1 = off")
    p.add_argument("--no-augment", action="store_true", help="no random flips / 90-degree rotations")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--eval-queries", type=int, default=2000, help="validation queries for the card's metrics (0: all)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads (fixed, for reproducibility)")
    return p.parse_args(argv)


# ---------------------------------------------------------------------------------------------- data

def load_dataset(folder):
    with open(os.path.join(folder, "dataset.json"), encoding="utf-8") as f:
        info = json.load(f)
    if info.get("format") != DATASET_FORMAT:
        raise SystemExit(f"{folder}/dataset.json is not a prepared MiLaN dataset (format {info.get('format')!r})")
    dtype = {"float32": np.float32, "float16": np.float16}[info["dtype"]]
    shape = tuple(info["shape"])
    path = os.path.join(folder, info["file"])
    expected = int(np.prod(shape)) * np.dtype(dtype).itemsize
    if os.path.getsize(path) != expected:
        raise SystemExit(f"{path} has {os.path.getsize(path)} bytes; dataset.json says {shape} {info['dtype']} ({expected})")
    x = np.memmap(path, dtype=dtype, mode="r", shape=shape)
    classes = info["classes"]
    labels = np.zeros((shape[0], len(classes)), dtype=np.float32)
    for i, p in enumerate(info["patches"]):
        labels[i, p["labels"]] = 1.0
    splits = np.array([p["split"] for p in info["patches"]])
    return info, x, labels, splits


def batch_tensor(x, idx):
    # Sorted reads are faster on a memory map; the order inside a batch does not matter.
    idx = np.sort(idx)
    return torch.from_numpy(np.ascontiguousarray(x[idx], dtype=np.float32)), idx


def augment(xb, gen):
    """Random 90-degree rotation and horizontal flip per image (land cover has no up or left)."""
    k = torch.randint(0, 4, (xb.shape[0],), generator=gen)
    flip = torch.randint(0, 2, (xb.shape[0],), generator=gen)
    out = torch.empty_like(xb)
    for i in range(xb.shape[0]):
        v = torch.rot90(xb[i], int(k[i]), dims=(1, 2))
        out[i] = torch.flip(v, dims=(2,)) if flip[i] else v
    return out


# ------------------------------------------------------------------------------------------- network

def conv_bn(cin, cout, k, stride):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class MiLaN(nn.Module):
    """Feature extractor (3 strided 3x3 convs + 1x1 conv + global average pool) and MiLaN's hash head."""

    def __init__(self, bands, bits):
        super().__init__()
        self.features = nn.Sequential(
            conv_bn(bands, 32, 3, 2),  # S -> S/2
            conv_bn(32, 64, 3, 2),  # -> S/4
            conv_bn(64, 128, 3, 2),  # -> S/8
            conv_bn(128, 128, 1, 1),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.hash = nn.Sequential(nn.Linear(128, 256), nn.ReLU(inplace=True), nn.Linear(256, bits))
        self.beta = 1.0  # continuation scale of the tanh; folded into the last layer before export

    def forward(self, x):
        return torch.tanh(self.scaled(self.hash(self.features(x))))

    def scaled(self, z):
        return z if self.beta == 1.0 else z * self.beta

    def fold_beta(self):
        """tanh(beta * (W x + b)) = tanh((beta W) x + beta b): the exported network needs no beta."""
        with torch.no_grad():
            last = self.hash[-1]
            last.weight.mul_(self.beta)
            last.bias.mul_(self.beta)
        self.beta = 1.0


class WithFeatures(nn.Module):
    """Export wrapper: the codes and, as a second output, the pooled features the hash head reads."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, x):
        f = self.model.features(x)
        return torch.tanh(self.model.scaled(self.model.hash(f))), f


def describe_network(model, bands, size):
    """Layers with output shapes, parameters and multiply-adds for one image (convs and linears)."""
    layers = []
    macs = 0

    def hook(module, inp, out):
        nonlocal macs
        if isinstance(module, nn.Conv2d):
            m = out.numel() * (module.in_channels // module.groups) * module.kernel_size[0] * module.kernel_size[1]
            layers.append(f"Conv2d {module.in_channels}->{module.out_channels} {module.kernel_size[0]}x{module.kernel_size[1]}"
                          f" stride {module.stride[0]} -> {list(out.shape[1:])}")
        elif isinstance(module, nn.Linear):
            m = module.in_features * module.out_features
            layers.append(f"Linear {module.in_features}->{module.out_features}")
        else:
            return
        macs += m

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, bands, size, size))
    model.train(was_training)
    for h in handles:
        h.remove()
    layers.append("tanh")
    params = sum(p.numel() for p in model.parameters())
    return {"layers": layers, "parameters": params, "multiplyAdds": macs, "mflops": round(2 * macs / 1e6, 1)}


# --------------------------------------------------------------------------------------------- losses

def triplet_semihard(h, labels, margin):
    """Batch-all anchor-positive pairs, each with its semi-hard negative (TensorFlow's triplet_semihard_loss rule)."""
    e = F.normalize(h, dim=1)
    d = (2.0 - 2.0 * e @ e.t()).clamp_min(0.0)  # squared Euclidean distance of unit vectors
    shared = labels @ labels.t()
    eye = torch.eye(h.shape[0], dtype=torch.bool)
    pos = (shared > 0) & ~eye
    neg = shared == 0
    d_ap = d.unsqueeze(2)  # [anchor, positive, 1]
    d_an = d.unsqueeze(1)  # [anchor, 1, negative]
    outside = neg.unsqueeze(1) & (d_an > d_ap)  # negatives farther than this positive
    big = d.detach().max() + 1.0
    closest_outside = torch.where(outside, d_an.expand_as(outside), big).min(dim=2).values
    farthest = torch.where(neg, d, torch.full_like(d, -1.0)).max(dim=1).values
    semi_hard = torch.where(outside.any(dim=2), closest_outside, farthest.unsqueeze(1).expand_as(d))
    valid = pos & neg.any(dim=1, keepdim=True)
    n = int(valid.sum())
    if n == 0:
        return h.sum() * 0.0, 0
    loss = F.relu(margin + d - semi_hard)
    return (loss * valid).sum() / n, n


def push_loss(h):
    """Quantisation: the paper's -(1/K)||b - 0.5||^2 with b = (h + 1) / 2, shifted by a constant to be >= 0."""
    return ((1.0 - h * h) / 4.0).mean()


def balance_loss(h):
    """Bit balance: (mean_k b_k - 0.5)^2 per code, averaged over the batch."""
    return ((h.mean(dim=1) / 2.0) ** 2).mean()


# ---------------------------------------------------------------------------------------------- eval

@torch.no_grad()
def activations(model, x, idx, batch=256):
    model.eval()
    out = []
    for s in range(0, len(idx), batch):
        xb = torch.from_numpy(np.ascontiguousarray(x[idx[s:s + batch]], dtype=np.float32))
        out.append(model(xb))
    return torch.cat(out) if out else torch.zeros(0)


def retrieval_metrics(q_bits, q_labels, db_bits, db_labels, ks=METRIC_KS, chunk=256):
    """mAP@k and precision@k by Hamming ranking (ties: archive order); relevant = shares >= 1 label.
    AP@k = (1 / R_k) * sum_{i <= k} P@i * rel_i, R_k = relevant items in the top k (0 when none).
    Queries go in chunks and only the top max(k) are sorted, so a 270k-patch archive fits in memory."""
    n = db_bits.shape[0]
    top_k = min(max(ks), n)
    db = db_bits.astype(np.float32)
    not_db = 1.0 - db
    index = np.arange(n, dtype=np.int64)
    ap_sum = {k: 0.0 for k in ks}
    prec_sum = {k: 0.0 for k in ks}
    for s in range(0, q_bits.shape[0], chunk):
        q = q_bits[s:s + chunk].astype(np.float32)
        ham = np.rint(q @ not_db.T + (1.0 - q) @ db.T).astype(np.int64)
        key = ham * n + index  # unique keys: distance first, then archive order
        if top_k < n:
            top = np.argpartition(key, top_k - 1, axis=1)[:, :top_k]
        else:
            top = np.broadcast_to(index, key.shape)
        order = np.take_along_axis(top, np.argsort(np.take_along_axis(key, top, axis=1), axis=1), axis=1)
        rel = (db_labels[order] * q_labels[s:s + chunk][:, None, :]).sum(axis=2) > 0
        for k in ks:
            kk = min(k, n)
            r = rel[:, :kk].astype(np.float64)
            hits = np.cumsum(r, axis=1)
            prec = hits / np.arange(1, kk + 1)
            rk = r.sum(axis=1)
            ap_sum[k] += float(np.where(rk > 0, (prec * r).sum(axis=1) / np.maximum(rk, 1), 0.0).sum())
            prec_sum[k] += float(prec[:, -1].sum())
    nq = max(1, q_bits.shape[0])
    out = {}
    for k in ks:
        out[f"mAP@{k}"] = round(ap_sum[k] / nq, 4)
        out[f"precision@{k}"] = round(prec_sum[k] / nq, 4)
    return out


def evaluate(model, x, labels, splits, max_queries, seed):
    queries = np.nonzero(splits == "validation")[0]
    archive = np.nonzero(splits == "train")[0]
    if len(queries) == 0 or len(archive) == 0:
        return {"note": f"no metrics: {len(queries)} validation queries, {len(archive)} archive (train) patches"}
    if max_queries and len(queries) > max_queries:
        queries = np.sort(np.random.default_rng(seed).choice(queries, size=max_queries, replace=False))
    hq = activations(model, x, queries)
    ha = activations(model, x, archive)
    bq = (hq > 0).numpy()
    ba = (ha > 0).numpy()
    m = {
        "queries": "validation split" + (f" (a seeded sample of {max_queries})" if len(queries) == max_queries else ""),
        "archive": "train split",
        "queryCount": int(len(queries)),
        "archiveCount": int(len(archive)),
        "ranking": "Hamming distance of the binary codes",
        "relevance": "shares at least one of the 19 labels",
    }
    m.update(retrieval_metrics(bq, labels[queries], ba, labels[archive]))
    allh = torch.cat([hq, ha])
    m["meanOnes"] = round(float((allh > 0).float().mean()), 4)
    m["meanAbsActivation"] = round(float(allh.abs().mean()), 4)
    return m


# -------------------------------------------------------------------------------------------- export

def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def export_onnx(model, path, bands, size):
    import onnx

    model.eval()
    dummy = torch.zeros(1, bands, size, size)
    torch.onnx.export(
        WithFeatures(model), dummy, path,
        input_names=["bands"], output_names=["codes", "features"],
        dynamic_axes={"bands": {0: "batch"}, "codes": {0: "batch"}, "features": {0: "batch"}},
        opset_version=ONNX_OPSET, do_constant_folding=True,
    )
    m = onnx.load(path)
    onnx.checker.check_model(m)


# ---------------------------------------------------------------------------------------------- main

def main(argv=None):
    args = parse_args(argv)
    t0 = time.time()
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)

    info, x, labels, splits = load_dataset(args.dataset)
    n, bands, size, _ = info["shape"]
    train_idx = np.nonzero(splits == "train")[0]
    if len(train_idx) == 0:
        raise SystemExit(f"{args.dataset}: no patches in the train split")
    log(f"dataset: {n} patches ({len(train_idx)} train), {bands} bands, {size}x{size}")

    model = MiLaN(bands, args.bits)
    network = describe_network(model, bands, size)
    log(f"network: {network['parameters']} parameters, {network['multiplyAdds'] / 1e6:.1f} M multiply-adds per image")
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=max(1, args.epochs), eta_min=args.lr * 0.05)
    gen = torch.Generator().manual_seed(args.seed)
    lab_t = torch.from_numpy(labels)
    history = []
    total_steps = args.epochs * ((len(train_idx) + args.batch_size - 1) // args.batch_size)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = train_idx[torch.randperm(len(train_idx), generator=gen).numpy()]
        sums = {"loss": 0.0, "triplet": 0.0, "push": 0.0, "balance": 0.0, "triplets": 0}
        steps = 0
        te = time.time()
        for s in range(0, len(perm), args.batch_size):
            xb, idx = batch_tensor(x, perm[s:s + args.batch_size])
            if len(idx) < 2:
                continue
            if not args.no_augment:
                xb = augment(xb, gen)
            model.beta = 1.0 + (args.beta_end - 1.0) * step / max(1, total_steps - 1)
            step += 1
            h = model(xb)
            lt, nt = triplet_semihard(h, lab_t[idx], args.margin)
            lp = push_loss(h)
            lb = balance_loss(h)
            loss = lt + args.lambda_push * lp + args.lambda_balance * lb
            opt.zero_grad()
            loss.backward()
            opt.step()
            sums["loss"] += float(loss)
            sums["triplet"] += float(lt)
            sums["push"] += float(lp)
            sums["balance"] += float(lb)
            sums["triplets"] += nt
            steps += 1
        sched.step()
        row = {k: (round(v / max(1, steps), 5) if k != "triplets" else v) for k, v in sums.items()}
        row["epoch"] = epoch + 1
        row["seconds"] = round(time.time() - te, 1)
        history.append(row)
        row["beta"] = round(model.beta, 3)
        log(f"epoch {epoch + 1}/{args.epochs}: loss {row['loss']:.4f} (triplet {row['triplet']:.4f}, push {row['push']:.4f}, "
            f"balance {row['balance']:.5f}; {row['triplets']} triplets; beta {row['beta']}) {row['seconds']} s")

    model.beta = args.beta_end
    model.fold_beta()
    metrics = evaluate(model, x, labels, splits, args.eval_queries, args.seed)
    log(f"metrics: {json.dumps(metrics)}")

    os.makedirs(args.out, exist_ok=True)
    model_id = args.id or os.path.basename(os.path.normpath(args.out))
    onnx_path = os.path.join(args.out, "model.onnx")
    card_path = os.path.join(args.out, "model.card.json")
    # Write beside, then rename: a failed run leaves an existing model as it was.
    tmp_onnx = onnx_path + ".tmp"
    tmp_card = card_path + ".tmp"
    export_onnx(model, tmp_onnx, bands, size)
    by_split = {s: int((splits == s).sum()) for s in ("train", "validation", "test")}
    card = {
        "format": CARD_FORMAT,
        "id": model_id,
        "name": args.name or f"MiLaN {args.bits}-bit ({len(train_idx)} training patches)",
        "description": "Query-by-example hash codes for 12-band Sentinel-2 patches (BigEarthNet); "
                       "Hamming distance between codes ranks patches by land-cover similarity.",
        "model": {"file": "model.onnx", "sha256": sha256_of(tmp_onnx)},
        "architecture": "MiLaN hashing network: small CNN (3 strided 3x3 convs 32-64-128, 1x1 conv, global average pool) "
                        f"-> FC 256 -> FC {args.bits}, tanh",
        "reference": REFERENCE,
        "bits": args.bits,
        "input": {
            "name": "bands",
            "bands": info["input"]["bands"],
            "size": size,
            "pixelSizeM": info["input"]["pixelSizeM"],
            "resampling": info["input"]["resampling"],
            "pixelTypes": info["input"]["pixelTypes"],
        },
        "normalisation": {
            "transform": info["normalisation"]["transform"],
            "mean": info["normalisation"]["mean"],
            "std": info["normalisation"]["std"],
        },
        "output": {"name": "codes", "activation": "tanh", "features": "features"},
        "network": network,
        "training": {
            "trainer": "build/milan/train.py",
            "data": {
                "source": info["source"]["data"],
                "metadata": info["source"]["metadata"],
                "patches": n,
                "splits": by_split,
                "archives": sorted({p["archive"] for p in info["patches"]}),
                "limit": info["source"]["limit"],
                "normalisationComputedOn": info["normalisation"]["computedOn"],
            },
            "seed": args.seed,
            "epochs": args.epochs,
            "batchSize": args.batch_size,
            "optimizer": f"Adam lr {args.lr} weight decay {args.weight_decay}, cosine to {args.lr * 0.05:g}",
            "losses": {
                "triplet": f"semi-hard, margin {args.margin}, positives share >= 1 label",
                "push": args.lambda_push,
                "balance": args.lambda_balance,
                "continuation": "off" if args.beta_end == 1.0 else f"tanh(beta z), beta 1 -> {args.beta_end:g} linearly over the steps, folded into the last layer",
            },
            "augmentation": "none" if args.no_augment else "random 90-degree rotation and horizontal flip",
            "threads": args.threads,
            "torch": torch.__version__,
            "onnxOpset": ONNX_OPSET,
            "history": history,
            "seconds": round(time.time() - t0, 1),
        },
        "metrics": metrics,
        "createdAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    with open(tmp_card, "w", encoding="utf-8") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    os.replace(tmp_onnx, onnx_path)
    os.replace(tmp_card, card_path)
    log(f"wrote {onnx_path} and {card_path}")


if __name__ == "__main__":
    main()
