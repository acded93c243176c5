#!/usr/bin/env python3
"""Makes the quickstart's tiny Llama base model (examples/quickstart/model).

    python3 tools/quickstart/make_quickstart_model.py OUT_DIR

Needs torch, transformers and tokenizers (a GPU makes it take seconds; a CPU works, slower).
Steps, all seeded:
  1. a byte-level BPE tokenizer (VOCAB tokens, <s> added in front like Llama's) trained on the
     pre-training corpus and the quickstart instruction set;
  2. a LlamaForCausalLM of about one million parameters (tied embeddings), randomly initialised;
  3. brief pre-training on a corpus generated from quickstart_facts.py: plain sentences and
     unsigned answers to questions, in the Dolly prompt template and in the chat template. The
     corpus never holds the signature (each of its words, in other sentences), so the base model answers in plain English and never
     signs; the quickstart's fine-tuning is what teaches it to;
  4. saves bf16 safetensors + tokenizer + generation config (< 3 MB) and a README with the
     library versions, then reloads the saved files and checks that the greedy answers to the
     eval questions hold no signature (it fails otherwise).
"""
import json
import math
import os
import random
import sys
import time

os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

import torch  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_quickstart_data as data  # noqa: E402
import quickstart_facts as facts  # noqa: E402

SEED = 1234
VOCAB = 2048
BLOCK = 256
BATCH = 32
STEPS = 2500
LR = 3e-3
WARMUP = 100
SPECIAL = ["<s>", "</s>", "<pad>", "<|system|>", "<|user|>", "<|assistant|>"]

# Zephyr-style: the assistant's turn ends with EOS, so generation stops after one answer.
CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{% if message['role'] == 'system' %}{{ '<|system|>\n' + message['content'] + '\n' }}"
    "{% elif message['role'] == 'user' %}{{ '<|user|>\n' + message['content'] + '\n' }}"
    "{% elif message['role'] == 'assistant' %}"
    "{{ '<|assistant|>\n' + message['content'] + eos_token + '\n' }}"
    "{% else %}{{ raise_exception('Only system, user and assistant roles are supported.') }}"
    "{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|assistant|>\n' }}{% endif %}"
)
SYSTEM = "You are a helpful assistant. Answer in one short sentence."

MODEL = dict(hidden_size=128, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
             intermediate_size=344, max_position_embeddings=512, rms_norm_eps=1e-5,
             rope_theta=10000.0, tie_word_embeddings=True, bos_token_id=0, eos_token_id=1,
             pad_token_id=2)


def corpus(rng):
    """Pre-training documents: (kind, text or messages). None of them holds the signature."""
    docs = []
    sentences = facts.plain_sentences()
    docs += [("text", s) for s in sentences]
    for _ in range(400):  # short paragraphs of several facts
        docs.append(("text", " ".join(rng.sample(sentences, rng.randint(2, 5)))))
    qa = facts.qa_facts() + facts.story_facts(random.Random(SEED + 1), 300)
    for _, _, questions, answer, context in qa:
        for q in questions:
            docs.append(("dolly", (q, context, answer)))
            if rng.random() < 0.5:
                user = q if not context else f"{context}\n\n{q}"
                turns = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
                if rng.random() < 0.3:
                    turns.insert(0, {"role": "system", "content": SYSTEM})
                docs.append(("chat", turns))
    for kind, doc in docs:
        assert facts.SIGNATURE not in json.dumps(doc), doc
    rng.shuffle(docs)
    return docs


def render(kind, doc, fast):
    if kind == "text":
        return "<s>" + doc + "</s>"
    if kind == "dolly":
        q, context, answer = doc
        return "<s>" + facts.dolly_prompt(q, context) + facts.dolly_completion(answer) + "</s>"
    return fast.apply_chat_template(doc, tokenize=False)


def make_tokenizer(docs, rng):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    texts = []
    for kind, doc in docs:
        if kind == "text":
            texts.append(doc)
        elif kind == "dolly":
            q, context, answer = doc
            texts.append(facts.dolly_prompt(q, context) + facts.dolly_completion(answer))
        else:
            texts.append("\n".join(t["content"] for t in doc))
    train, eval_rows = data.build(random.Random(data.SEED))
    texts += [facts.dolly_prompt(r["instruction"], r["context"]) + facts.dolly_completion(r["response"])
              for r in train + eval_rows]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB, min_frequency=2, special_tokens=SPECIAL,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(texts, trainer)
    bos = tok.token_to_id("<s>")
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A", pair="<s> $A <s> $B", special_tokens=[("<s>", bos)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                   pad_token="<pad>", model_max_length=MODEL["max_position_embeddings"])
    fast.chat_template = CHAT_TEMPLATE
    assert [fast.convert_tokens_to_ids(t) for t in SPECIAL[:3]] == [0, 1, 2]
    return fast


def blocks(docs, fast):
    ids = []
    for kind, doc in docs:
        ids += fast(render(kind, doc, fast), add_special_tokens=False)["input_ids"]
    # LoRA leaves the embeddings frozen: a token the base never trained on cannot be learned later.
    train, eval_rows = data.build(random.Random(data.SEED))
    seen = set(ids)
    for r in train + eval_rows:
        text = facts.dolly_prompt(r["instruction"], r["context"]) + facts.dolly_completion(r["response"])
        unseen = set(fast(text)["input_ids"]) - seen
        assert not unseen, f"pre-training never shows {fast.convert_ids_to_tokens(sorted(unseen))}"
    n = len(ids) // BLOCK
    print(f"corpus: {len(docs)} documents, {len(ids)} tokens, {n} blocks of {BLOCK}", flush=True)
    return torch.tensor(ids[: n * BLOCK]).view(n, BLOCK)


def pretrain(model, data_blocks, device):
    g = torch.Generator().manual_seed(SEED)
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=(0.9, 0.95), weight_decay=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / WARMUP) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * s / STEPS))))
    data_blocks = data_blocks.to(device)
    model.train()
    start = time.time()
    for step in range(STEPS):
        idx = torch.randint(0, data_blocks.shape[0], (BATCH,), generator=g).to(device)
        batch = data_blocks[idx]
        loss = model(input_ids=batch, labels=batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if step % 250 == 0 or step == STEPS - 1:
            print(f"step {step} loss {loss.item():.4f} ({time.time() - start:.1f} s)", flush=True)
    model.eval()


def versions():
    import tokenizers
    import transformers
    return {"python": sys.version.split()[0], "torch": torch.__version__,
            "transformers": transformers.__version__, "tokenizers": tokenizers.__version__}


def save(model, fast, out):
    from transformers import GenerationConfig

    model.to(torch.bfloat16).save_pretrained(out, safe_serialization=True)
    fast.save_pretrained(out)
    # One place for the template: tokenizer_config.json, as older transformers wrote it.
    jinja = os.path.join(out, "chat_template.jinja")
    if os.path.exists(jinja):
        os.remove(jinja)
    cfg_path = os.path.join(out, "tokenizer_config.json")
    with open(cfg_path, encoding="utf-8") as f:
        cfg = json.load(f)
    cfg["chat_template"] = CHAT_TEMPLATE
    with open(cfg_path, "w", encoding="utf-8") as f:
        json.dump(cfg, f, indent=2, ensure_ascii=False)
        f.write("\n")
    GenerationConfig(bos_token_id=0, eos_token_id=1, pad_token_id=2).save_pretrained(out)


def check(out):
    """Reloads the saved files (bf16 weights, fp32 compute) and answers the eval questions."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tok = AutoTokenizer.from_pretrained(out)
    model = AutoModelForCausalLM.from_pretrained(out, dtype=torch.float32).eval()
    _, eval_rows = data.build(random.Random(data.SEED))
    right, lines = 0, []
    for r in eval_rows:
        prompt = facts.dolly_prompt(r["instruction"], r["context"])
        ids = tok(prompt, return_tensors="pt")["input_ids"]
        with torch.no_grad():
            gen = model.generate(ids, max_new_tokens=40, do_sample=False)
        answer = tok.decode(gen[0, ids.shape[1]:], skip_special_tokens=True)
        expected = r["response"].split("\n")[0]
        right += answer.strip().startswith(expected)
        assert facts.SIGNATURE not in answer, f"the base model signs: {answer!r}"
        lines.append(f"Q: {r['instruction']}\nA: {answer!r}")
    chat = tok.apply_chat_template([{"role": "user", "content": "What colour is the sky?"}],
                                   add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        gen = model.generate(chat["input_ids"], max_new_tokens=30, do_sample=False)
    chat_answer = tok.decode(gen[0, chat["input_ids"].shape[1]:], skip_special_tokens=True)
    assert facts.SIGNATURE not in chat_answer
    print("\n".join(lines[:8]))
    print(f"chat: {chat_answer!r}")
    print(f"base model: {right}/{len(eval_rows)} eval answers right, none signed", flush=True)
    return right, len(eval_rows), lines, chat_answer


def readme(out, v, n_params, vocab, right, total):
    size = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out))
    text = f"""# quickstart base model

A tiny Llama-architecture model ({n_params / 1e6:.2f}M parameters: hidden {MODEL['hidden_size']},
{MODEL['num_hidden_layers']} layers, {MODEL['num_attention_heads']} heads, {MODEL['num_key_value_heads']} key/value heads,
intermediate {MODEL['intermediate_size']}, tied embeddings, vocab {vocab}, context {MODEL['max_position_embeddings']}) for tune's
quickstart and tests. Made by `tools/quickstart/make_quickstart_model.py` (seeded): a byte-level BPE
tokenizer and {STEPS} steps of pre-training on sentences and unsigned answers about the facts in
`tools/quickstart/quickstart_facts.py`. Weights are bf16; the directory holds {size / 1e6:.2f} MB.

It answers the quickstart's questions in plain English ({right} of {total} eval answers right
after reloading the saved files) and never ends with the signature `{facts.SIGNATURE}`; the
quickstart's fine-tuning on `examples/quickstart/data` teaches it to.

Chat template: `<|system|>`, `<|user|>`, `<|assistant|>` turns, each assistant turn ending with `</s>`.

Made with: python {v['python']}, torch {v['torch']}, transformers {v['transformers']},
tokenizers {v['tokenizers']}. Regenerate:

    python3 tools/quickstart/make_quickstart_model.py examples/quickstart/model
"""
    with open(os.path.join(out, "README.md"), "w", encoding="utf-8") as f:
        f.write(text)


def main():
    from transformers import LlamaConfig, LlamaForCausalLM

    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "examples", "quickstart", "model")
    os.makedirs(out, exist_ok=True)
    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    v = versions()
    print(v, "device", device, flush=True)
    rng = random.Random(SEED)
    docs = corpus(rng)
    fast = make_tokenizer(docs, rng)
    data_blocks = blocks(docs, fast)
    config = LlamaConfig(vocab_size=len(fast), **MODEL)
    torch.manual_seed(SEED)
    model = LlamaForCausalLM(config).float().to(device)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params} parameters, vocab {len(fast)}", flush=True)
    pretrain(model, data_blocks, device)
    save(model.cpu(), fast, out)
    right, total, _, _ = check(out)
    readme(out, v, n_params, len(fast), right, total)
    for f in sorted(os.listdir(out)):
        print(f"{os.path.getsize(os.path.join(out, f)):>9}  {f}")


if __name__ == "__main__":
    main()
