#!/usr/bin/env python3
"""The peer of tune's training-step benchmark, in plain PyTorch (Debian's python3-torch).

Same model and step as `dev.tune.bench.TrainStepBench`: a Llama-architecture decoder
(config below), frozen fp32 base, LoRA r=16 / alpha=32 on every linear layer but the head,
causal-LM loss on one sequence, backward, AdamW on the LoRA weights. Prints one JSON line
with the median tokens/s over the timed steps.

    /usr/bin/python3 bench/python/peer_train_step.py --threads 2 --steps 10
"""
import argparse
import json
import math
import statistics
import time

import torch
import torch.nn.functional as F

CONFIG = dict(vocab=8192, hidden=384, layers=8, heads=6, kv_heads=2, intermediate=1024, seq=256)


class LoraLinear(torch.nn.Module):
    def __init__(self, inp, out, r=16, alpha=32):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.randn(out, inp) * 0.02, requires_grad=False)
        self.lora_a = torch.nn.Parameter(torch.empty(r, inp))
        torch.nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
        self.lora_b = torch.nn.Parameter(torch.zeros(out, r))
        self.scaling = alpha / r

    def forward(self, x):
        return F.linear(x, self.weight) + F.linear(F.linear(x, self.lora_a), self.lora_b) * self.scaling


def rms_norm(x, w, eps=1e-5):
    v = x.pow(2).mean(-1, keepdim=True)
    return x * torch.rsqrt(v + eps) * w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h, d = c["hidden"], c["hidden"] // c["heads"]
        self.heads, self.kv, self.d = c["heads"], c["kv_heads"], d
        self.q = LoraLinear(h, c["heads"] * d)
        self.k = LoraLinear(h, c["kv_heads"] * d)
        self.v = LoraLinear(h, c["kv_heads"] * d)
        self.o = LoraLinear(c["heads"] * d, h)
        self.gate = LoraLinear(h, c["intermediate"])
        self.up = LoraLinear(h, c["intermediate"])
        self.down = LoraLinear(c["intermediate"], h)
        self.ln1 = torch.nn.Parameter(torch.ones(h), requires_grad=False)
        self.ln2 = torch.nn.Parameter(torch.ones(h), requires_grad=False)

    def forward(self, x, cos, sin):
        b, t, _ = x.shape
        y = rms_norm(x, self.ln1)
        q = self.q(y).view(b, t, self.heads, self.d).transpose(1, 2)
        k = self.k(y).view(b, t, self.kv, self.d).transpose(1, 2)
        v = self.v(y).view(b, t, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(self.d)
        mask = torch.full((t, t), float("-inf")).triu(1)
        a = torch.softmax(scores + mask, dim=-1) @ v
        x = x + self.o(a.transpose(1, 2).reshape(b, t, -1))
        y = rms_norm(x, self.ln2)
        return x + self.down(F.silu(self.gate(y)) * self.up(y))


class Model(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embed = torch.nn.Parameter(torch.randn(c["vocab"], c["hidden"]) * 0.02, requires_grad=False)
        self.layers = torch.nn.ModuleList(Layer(c) for _ in range(c["layers"]))
        self.norm = torch.nn.Parameter(torch.ones(c["hidden"]), requires_grad=False)
        self.head = torch.nn.Parameter(torch.randn(c["vocab"], c["hidden"]) * 0.02, requires_grad=False)
        d = c["hidden"] // c["heads"]
        inv = 1.0 / (10000.0 ** (torch.arange(0, d, 2).float() / d))
        f = torch.outer(torch.arange(c["seq"]).float(), inv)
        emb = torch.cat((f, f), dim=-1)
        self.cos, self.sin = emb.cos(), emb.sin()

    def forward(self, ids):
        x = self.embed[ids]
        for layer in self.layers:
            x = layer(x, self.cos, self.sin)
        return F.linear(rms_norm(x, self.norm), self.head)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    c = CONFIG
    model = Model(c)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=2e-4)
    ids = torch.randint(0, c["vocab"], (1, c["seq"]))
    times = []
    for step in range(a.warmup + a.steps):
        t0 = time.perf_counter()
        logits = model(ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, c["vocab"]), ids[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        dt = time.perf_counter() - t0
        if step >= a.warmup:
            times.append(dt)
    total = sum(p.numel() for p in model.parameters())
    med = statistics.median(times)
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": a.threads,
                      "params": total, "seq": c["seq"], "median_step_s": med,
                      "tokens_per_s": c["seq"] / med, "loss": loss.item()}))


if __name__ == "__main__":
    main()
