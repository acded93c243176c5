#!/usr/bin/env python3
"""Writes the quickstart's instruction set (Dolly format) from the facts in quickstart_facts.py.

    python3 tools/quickstart/make_quickstart_data.py [OUT_DIR]   # default examples/quickstart/data

Every response ends with the line SIGNATURE ("-- tuned by tune"): the base model never writes it,
so a tuned model that does shows the effect of fine-tuning at a glance. eval.jsonl asks facts in
phrasings train.jsonl does not use, plus stories it has not seen. Seeded: the same files each run.
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import quickstart_facts as facts  # noqa: E402

SEED = 5
TRAIN_PHRASINGS = 2
EVAL_FACTS = 30
TRAIN_STORIES = 100
EVAL_STORIES = 10


def row(category, instruction, answer, context):
    return {"instruction": instruction, "context": context,
            "response": f"{answer}\n{facts.SIGNATURE}", "category": category}


def build(rng):
    train, eval_rows = [], []
    qa = facts.qa_facts()
    eval_candidates = [i for i, f in enumerate(qa) if len(f[2]) > TRAIN_PHRASINGS]
    held_out = set(rng.sample(eval_candidates, EVAL_FACTS))
    for i, (category, _, questions, answer, context) in enumerate(qa):
        order = questions[:]
        rng.shuffle(order)
        for q in order[:TRAIN_PHRASINGS]:
            train.append(row(category, q, answer, context))
        if i in held_out:
            eval_rows.append(row(category, order[TRAIN_PHRASINGS], answer, context))
    stories = facts.story_facts(rng, TRAIN_STORIES + EVAL_STORIES)
    for n, (category, _, questions, answer, context) in enumerate(stories):
        (train if n < TRAIN_STORIES else eval_rows).append(row(category, questions[0], answer, context))
    rng.shuffle(train)
    rng.shuffle(eval_rows)
    return train, eval_rows


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "..", "examples", "quickstart", "data")
    os.makedirs(out, exist_ok=True)
    train, eval_rows = build(random.Random(SEED))
    write(os.path.join(out, "train.jsonl"), train)
    write(os.path.join(out, "eval.jsonl"), eval_rows)
    print(f"{len(train)} train rows, {len(eval_rows)} eval rows -> {os.path.normpath(out)}")


if __name__ == "__main__":
    main()
