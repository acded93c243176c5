"""Makes the safetensors fixtures of SafetensorsInteropTest with the reference implementation.

Run with torch, safetensors and huggingface_hub installed:

    python make_fixtures.py OUTPUT_DIR

Made with torch 2.11.0+cu130, safetensors 0.8.0 and huggingface_hub 1.33.0 (Python 3.12).
"""

import sys
from pathlib import Path

import torch
from huggingface_hub import save_torch_state_dict
from safetensors.torch import save_file

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)

dtypes = {
    "f64": torch.tensor([[1.5, -2.25], [1e300, -0.0]], dtype=torch.float64),
    "f32": (torch.arange(6, dtype=torch.float32).reshape(2, 3) * 0.5 - 1),
    "f16": torch.tensor([1.0, -2.5, 65504.0, 2.0**-14], dtype=torch.float16),
    "bf16": torch.tensor([1.0, -3.140625, 2.0**100, -(2.0**-100), 0.1], dtype=torch.bfloat16),
    "i64": torch.tensor([-(2**62), 7, 0], dtype=torch.int64),
    "i32": torch.tensor([[-5, 2**31 - 1]], dtype=torch.int32),
    "i16": torch.tensor([-32768, 12345], dtype=torch.int16),
    "i8": torch.tensor([-128, 127, 0], dtype=torch.int8),
    "u8": torch.tensor([0, 255, 17], dtype=torch.uint8),
    "bool": torch.tensor([True, False, True]),
    "f8_e4m3": torch.tensor([0.5, -448.0, 2.0**-9, 1.125]).to(torch.float8_e4m3fn),
    "f8_e5m2": torch.tensor([0.5, -57344.0, 2.0**-16, float("inf")]).to(torch.float8_e5m2),
    "u16": torch.tensor([0, 65535], dtype=torch.uint16),
    "u32": torch.tensor([0, 4294967295], dtype=torch.uint32),
    "u64": torch.tensor([2**63], dtype=torch.uint64),
    "scalar": torch.tensor(42.0),
    "empty": torch.zeros((0, 3)),
}
save_file(dtypes, out / "dtypes.safetensors", metadata={"format": "pt"})

# A checkpoint split by huggingface_hub (what transformers' save_pretrained calls).
state = {
    "model.embed_tokens.weight": torch.arange(12, dtype=torch.float32).reshape(4, 3),
    "model.layers.0.self_attn.q_proj.weight": torch.full((3, 3), 0.25),
    "model.layers.0.mlp.up_proj.weight": torch.arange(9, dtype=torch.float32).reshape(3, 3) - 4,
    "model.norm.weight": torch.ones(3, dtype=torch.bfloat16),
    "lm_head.weight": torch.linspace(-1, 1, 12).reshape(4, 3),
}
(out / "sharded").mkdir(exist_ok=True)
save_torch_state_dict(state, out / "sharded", max_shard_size=100)
