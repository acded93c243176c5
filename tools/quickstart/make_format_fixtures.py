#!/usr/bin/env python3
"""Writes the small data files that train the quickstart model in every input format (tests).

    python3 tools/quickstart/make_format_fixtures.py [OUT_DIR]
    # default: trainer/src/test/resources/formats

Each file holds the same kind of rows as the quickstart (facts from quickstart_facts.py, answers
signed with SIGNATURE), in another shape:
  dolly-train.jsonl, dolly-eval.jsonl   Dolly instruction/context/response (JSON Lines)
  text.csv                              a `text` column (and an `id`), quoted multi-line cells
  sharegpt.json                         a JSON array of ShareGPT `conversations` (from/value)
The Parquet test writes its file itself from the Dolly rows. Seeded: the same files each run.
"""
import csv
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quickstart_facts as facts  # noqa: E402

SEED = 11
DOLLY_TRAIN, DOLLY_EVAL = 48, 8
TEXT_ROWS = 60
CHAT_ROWS = 60


def questions(rng, count):
    """(instruction, context, signed answer) triples drawn from every kind of fact."""
    pool = facts.qa_facts() + facts.story_facts(rng, 40)
    picked = rng.sample(pool, count)
    return [(rng.choice(qs), context, f"{answer}\n{facts.SIGNATURE}")
            for _, _, qs, answer, context in picked]


def write_jsonl(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        here, "..", "..", "trainer", "src", "test", "resources", "formats")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(SEED)

    dolly = [{"instruction": q, "context": c, "response": a, "category": "open_qa" if not c else "closed_qa"}
             for q, c, a in questions(rng, DOLLY_TRAIN + DOLLY_EVAL)]
    write_jsonl(os.path.join(out, "dolly-train.jsonl"), dolly[:DOLLY_TRAIN])
    write_jsonl(os.path.join(out, "dolly-eval.jsonl"), dolly[DOLLY_TRAIN:])

    with open(os.path.join(out, "text.csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "text"])
        for i, (q, c, a) in enumerate(questions(rng, TEXT_ROWS)):
            text = (f"{c}\n" if c else "") + f"Question: {q}\nAnswer: {a}"
            w.writerow([i, text])

    chats = []
    for i, (q, c, a) in enumerate(questions(rng, CHAT_ROWS)):
        turns = []
        if i % 3 == 0:
            turns.append({"from": "system", "value": "You are a helpful assistant."})
        turns.append({"from": "human", "value": f"{c}\n\n{q}" if c else q})
        turns.append({"from": "gpt", "value": a})
        chats.append({"id": f"chat-{i}", "conversations": turns})
    with open(os.path.join(out, "sharegpt.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(chats, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
