"""Makes the tokenizer and chat-template fixtures of dev.tune.trainer.tokenizer tests.

Run from this directory with transformers (5.x; 4.57 gives the same output here) and tokenizers
installed, offline:

    python make_fixtures.py

It writes:
  bytelevel/   a byte-level BPE tokenizer in the Llama 3 shape (vocab 300, trained below on a
               few sentences), its tokenizer_config.json, generation_config.json and
               chat_template.jinja (a copy of templates/llama3.jinja)
  expected.json  what transformers returns for the test inputs: encodings and decodings of the
               wordlevel/ and bytelevel/ tokenizers, and renders of templates/*.jinja

wordlevel/ and templates/ are written by hand (wordlevel/tokenizer.json is a 16-word WordLevel
model whose TemplateProcessing post-processor adds <s>).
"""

import json
import os
import shutil
import sys

import tokenizers
import transformers
from tokenizers import Tokenizer, models, pre_tokenizers, decoders, processors, trainers
from transformers import AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))

BYTELEVEL_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>",
                      "<|end_header_id|>", "<|eot_id|>"]
CORPUS = [
    "Hello world! The cat sat on the mat.",
    "Héllo wörld, naïve café: 日本語のテキスト.",
    "You are a helpful assistant. What is the capital of France? Paris.",
    "I'm sure it's fine, isn't it? We've said they're here .",
    "def add(a, b):\n    return a + b\n",
]


def make_bytelevel():
    out = os.path.join(HERE, "bytelevel")
    os.makedirs(out, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=BYTELEVEL_SPECIALS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(CORPUS * 3, trainer=trainer)
    bos = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.TemplateProcessing(
        single="<|begin_of_text|> $A", pair="<|begin_of_text|> $A <|begin_of_text|> $B",
        special_tokens=[("<|begin_of_text|>", bos)])
    tok.save(os.path.join(out, "tokenizer.json"))
    decoder = {str(tok.token_to_id(t)): {"content": t, "lstrip": False, "normalized": False,
                                          "rstrip": False, "single_word": False, "special": True}
               for t in BYTELEVEL_SPECIALS}
    config = {
        "added_tokens_decoder": decoder,
        "bos_token": "<|begin_of_text|>",
        "eos_token": "<|eot_id|>",
        "clean_up_tokenization_spaces": True,
        "model_max_length": 2048,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }
    with open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(out, "generation_config.json"), "w", encoding="utf-8") as f:
        json.dump({"bos_token_id": bos,
                   "eos_token_id": [tok.token_to_id("<|end_of_text|>"), tok.token_to_id("<|eot_id|>")]},
                  f, indent=2)
    shutil.copy(os.path.join(HERE, "templates", "llama3.jinja"), os.path.join(out, "chat_template.jinja"))


TEXTS = [
    "hello world , <note> the cat !",
    "Hello world! The cat sat on the mat.",
    "Héllo wörld, naïve café: 日本語 🙂",
    "I'm sure it's fine , isn't it ?",
    "<|begin_of_text|>text after a special token<|eot_id|>",
    "",
]


def tokenizer_expectations(name):
    tok = AutoTokenizer.from_pretrained(os.path.join(HERE, name))
    cases = []
    for text in TEXTS:
        with_special = tok(text)["input_ids"]
        without = tok(text, add_special_tokens=False)["input_ids"]
        cases.append({
            "text": text,
            "ids": with_special,
            "ids_without_special_tokens": without,
            "decoded": tok.decode(with_special),
            "decoded_skipping_special_tokens": tok.decode(with_special, skip_special_tokens=True),
        })
    return {
        "bos_token_id": tok.bos_token_id,
        "eos_token_id": tok.eos_token_id,
        "pad_token_id": tok.pad_token_id,
        "unk_token_id": tok.unk_token_id,
        "vocab_size": tok.vocab_size,
        "len": len(tok),
        "special_tokens_map": tok.special_tokens_map,
        "cases": cases,
    }


SYSTEM = {"role": "system", "content": "  You are a helpful assistant.  "}
USER1 = {"role": "user", "content": "Hello, who are you?"}
ASSISTANT1 = {"role": "assistant", "content": "I am a bot. Ask me anything!"}
USER2 = {"role": "user", "content": "Say \"hé\" in <b>bold</b> 日本"}
TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather for a city, in °C", "return": {"type": "number"},
    "parameters": {"type": "object", "properties": {"city": {"type": "string"},
                                                    "days": {"type": "integer", "default": 1}},
                   "required": ["city"]}}}]
TOOL_CALL = {"role": "assistant", "content": "", "tool_calls": [
    {"type": "function", "function": {"name": "get_weather",
                                      "arguments": {"city": "Zürich", "days": 2, "metric": True,
                                                    "ratio": 0.5, "note": None}}}]}
TOOL_RESULT = {"role": "tool", "content": "{\"temp\": 21}"}
THINKING = {"role": "assistant", "content": "<think>\nhmm\n</think>\n\nIt is 21 °C."}

RENDERS = [
    ("llama3.jinja", "system_and_turns", [SYSTEM, USER1, ASSISTANT1, USER2], True, False, None, {"date_string": "26 Jul 2024"}),
    ("llama3.jinja", "no_system", [USER1, ASSISTANT1], False, False, None, {"date_string": "26 Jul 2024"}),
    ("llama3.jinja", "content_blocks", [{"role": "user", "content": [{"type": "text", "text": "first"}, {"type": "text", "text": " second "}]}], True, False, None, {"date_string": "26 Jul 2024"}),
    ("llama3.jinja", "continue_final", [USER1, {"role": "assistant", "content": "I am "}], False, True, None, {"date_string": "26 Jul 2024"}),
    ("mistral.jinja", "system_and_turns", [SYSTEM, USER1, ASSISTANT1, USER2], False, False, None, {}),
    ("mistral.jinja", "roles_not_alternating", [USER1, USER2], False, False, None, {}),
    ("mistral.jinja", "unknown_role", [USER1, {"role": "tool", "content": "x"}], False, False, None, {}),
    ("zephyr.jinja", "system_and_turns", [SYSTEM, USER1, ASSISTANT1, USER2], True, False, None, {}),
    ("zephyr.jinja", "no_generation_prompt", [USER1, ASSISTANT1], False, False, None, {}),
    ("chatml.jinja", "generation_prompt", [SYSTEM, USER1, ASSISTANT1, USER2], True, False, None, {}),
    ("chatml.jinja", "continue_final", [USER1, {"role": "assistant", "content": "Sure, here"}], False, True, None, {}),
    ("tools.jinja", "tools_and_calls", [USER1, TOOL_CALL, TOOL_RESULT, THINKING, USER2], True, False, TOOLS, {}),
    ("tools.jinja", "no_tools", [SYSTEM, USER1, THINKING], False, False, None, {}),
    ("reasoning.jinja", "tools_and_calls", [SYSTEM, USER1, TOOL_CALL, TOOL_RESULT, TOOL_RESULT, THINKING], False, False, TOOLS, {}),
    ("reasoning.jinja", "thinking_history", [USER1, THINKING, USER2], True, False, None, {"enable_thinking": False}),
    ("reasoning.jinja", "thinking_after_last_query", [SYSTEM, USER1, THINKING], False, False, None, {}),
]


def render_expectations():
    tok = AutoTokenizer.from_pretrained(os.path.join(HERE, "wordlevel"))
    out = []
    for template_file, case, messages, gen, cont, tools, variables in RENDERS:
        with open(os.path.join(HERE, "templates", template_file), encoding="utf-8") as f:
            source = f.read()
        entry = {"template": template_file, "case": case, "messages": messages,
                 "add_generation_prompt": gen, "continue_final_message": cont,
                 "tools": tools, "variables": variables}
        try:
            entry["output"] = tok.apply_chat_template(
                messages, chat_template=source, tokenize=False, add_generation_prompt=gen,
                continue_final_message=cont, tools=tools, **variables)
        except Exception as e:  # the template raised: keep its message
            entry["error"] = str(e)
        out.append(entry)
    return out


def main():
    make_bytelevel()
    expected = {
        "made_with": {"transformers": transformers.__version__, "tokenizers": tokenizers.__version__,
                      "python": sys.version.split()[0]},
        "tokenizers": {name: tokenizer_expectations(name) for name in ("wordlevel", "bytelevel")},
        "renders": render_expectations(),
    }
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
