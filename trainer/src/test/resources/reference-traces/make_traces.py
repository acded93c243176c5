#!/usr/bin/env python3
"""Writes the reference traces that the trainer's tests replay (see README.md).

Run on a machine with a CUDA GPU and torch, transformers and bitsandbytes installed:

    python make_traces.py --out .

It writes optim/adamw_torch.json (torch.optim.AdamW, single-tensor path, CPU),
optim/adamw_8bit.json (bitsandbytes AdamW8bit on CUDA) and loss/causal_lm_loss_*.json
(transformers ForCausalLMLoss and its gradient). Tensors are little-endian, base64-encoded.
"""
import argparse
import base64
import json
import pathlib

import torch

LRS = [1e-2, 5e-3, 2e-2, 1e-3, 3e-2]
BETAS = (0.9, 0.999)
EPS = 1e-8
WEIGHT_DECAY = 0.01
# 4196 values: 16 full blocks of 256 and a partial one, so bitsandbytes keeps 8-bit moments;
# the bias (37 values) stays under min_8bit_size and keeps fp32 moments.
SHAPES = {"w": (4, 1049), "b": (37,)}


def b64(tensor):
    return base64.b64encode(tensor.detach().cpu().contiguous().numpy().tobytes()).decode()


def encoded(tensor):
    return {
        "dtype": str(tensor.dtype).replace("torch.", ""),
        "shape": list(tensor.shape),
        "data": b64(tensor),
    }


def seeded(shape, seed, scale=1.0):
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator) * scale


def optimizer_trace(optim, make_optimizer, device, state_keys, made_with, tolerance):
    start = {name: seeded(shape, 100 + i) for i, (name, shape) in enumerate(SHAPES.items())}
    grads = [
        {name: seeded(shape, 1000 * (t + 1) + i, 0.1) for i, (name, shape) in enumerate(SHAPES.items())}
        for t in range(len(LRS))
    ]
    params = {name: torch.nn.Parameter(value.clone().to(device)) for name, value in start.items()}
    optimizer = make_optimizer(list(params.values()))
    steps = []
    for t, lr in enumerate(LRS):
        for group in optimizer.param_groups:
            group["lr"] = lr
        for name, param in params.items():
            param.grad = grads[t][name].to(device).clone()
        optimizer.step()
        state = {}
        for name, param in params.items():
            for key in state_keys:
                value = optimizer.state[param].get(key)
                if torch.is_tensor(value) and value.dim() > 0:
                    state[f"{name}.{key}"] = encoded(value)
        steps.append(
            {
                "lr": lr,
                "grads": {name: encoded(g) for name, g in grads[t].items()},
                "params_after": {name: encoded(p) for name, p in params.items()},
                "state": state,
            }
        )
    return {
        "kind": "optimizer",
        "optim": optim,
        "made_with": made_with,
        "options": {"beta1": BETAS[0], "beta2": BETAS[1], "eps": EPS, "weight_decay": WEIGHT_DECAY},
        "params": {name: encoded(value) for name, value in start.items()},
        "steps": steps,
        "tolerance": tolerance,
    }


def loss_trace(dtype, made_with):
    from transformers.loss.loss_utils import ForCausalLMLoss

    generator = torch.Generator().manual_seed(7)
    logits = (torch.randn(2, 6, 11, generator=generator) * 2).to(dtype).requires_grad_()
    labels = torch.randint(0, 11, (2, 6), generator=generator)
    labels[0, :2] = -100
    labels[1, 3] = -100
    labels[1, 5] = -100
    loss = ForCausalLMLoss(logits, labels, vocab_size=11)
    loss.backward()
    return {
        "kind": "causal_lm_loss",
        "made_with": made_with,
        "logits": encoded(logits),
        "labels": encoded(labels),
        "loss": loss.item(),
        "logits_grad": encoded(logits.grad),
        "tolerance": {"loss_abs": 1e-6, "grad_abs": 1e-3 if dtype == torch.float16 else 1e-7},
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path(__file__).parent)
    parser.add_argument(
        "--without-bitsandbytes",
        action="store_true",
        help="skip optim/adamw_8bit.json (for a machine without bitsandbytes or CUDA)",
    )
    args = parser.parse_args()
    import transformers

    bitsandbytes = None
    if not args.without_bitsandbytes:
        import bitsandbytes
    made_with = f"torch {torch.__version__}, transformers {transformers.__version__}"
    if bitsandbytes is not None:
        made_with += f", bitsandbytes {bitsandbytes.__version__}, {torch.cuda.get_device_name(0)}"
    traces = {
        "loss/causal_lm_loss_fp32.json": loss_trace(torch.float32, made_with),
        "loss/causal_lm_loss_fp16.json": loss_trace(torch.float16, made_with),
        "optim/adamw_torch.json": optimizer_trace(
            "adamw_torch",
            lambda params: torch.optim.AdamW(
                params, lr=LRS[0], betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY, foreach=False
            ),
            "cpu",
            ["exp_avg", "exp_avg_sq"],
            made_with,
            # bit-exact: the trainer reproduces libtorch's fused lerp/addcmul (x86 CPU with FMA)
            {"param_abs": 0.0, "state_rel": 0.0, "code_mismatch_fraction": 0.0},
        ),
    }
    if bitsandbytes is not None:
        traces["optim/adamw_8bit.json"] = optimizer_trace(
            "adamw_8bit",
            lambda params: bitsandbytes.optim.AdamW8bit(
                params, lr=LRS[0], betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY
            ),
            "cuda",
            ["state1", "state2", "absmax1", "absmax2"],
            made_with,
            # the kernel's __powf/__fdividef and fused multiply-adds differ from IEEE fp32 ops
            {"param_abs": 1e-5, "state_rel": 1e-4, "code_mismatch_fraction": 0.01},
        )
    for relative, trace in traces.items():
        path = args.out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(trace, indent=1) + "\n")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
