#!/usr/bin/env python3
"""Writes tests/LstmSharp.Tests/Fixtures/tagging/names_{train,test}.conll: small synthetic CoNLL files (token TAB BIO
tag) for the tagger's tests and the `lstm tag` end-to-end test. Sentences come from templates over invented word lists,
so the files carry no licence of any corpus. Deterministic: python3 tools/tagging/make_names_sample.py"""
import os
import random

FIRST = ["Anna", "Boris", "Clara", "David", "Elena", "Felix", "Greta", "Hugo", "Irene", "Jonas", "Karla", "Lukas", "Mira", "Nils", "Olga", "Pavel"]
LAST = ["Berg", "Costa", "Dahl", "Engel", "Frost", "Gruber", "Holm", "Ivanov", "Jensen", "Kraus", "Lind", "Moreau"]
PLACE = [["Oslo"], ["Lisbon"], ["Porto"], ["Vienna"], ["Riga"], ["Turin"], ["New", "Haven"], ["San", "Remo"], ["Le", "Havre"], ["Bergen"]]
VERB = ["visited", "left", "praised", "called", "met", "thanked", "followed", "helped"]
TIME = ["today", "yesterday", "on", "in", "after", "before"]
NOUN = ["the", "a", "report", "team", "museum", "river", "market", "station", "letter", "game", "morning", "winter"]


def person(rng):
    tokens = [rng.choice(FIRST)] + ([rng.choice(LAST)] if rng.random() < 0.6 else [])
    return [(t, ("B-" if i == 0 else "I-") + "PER") for i, t in enumerate(tokens)]


def place(rng):
    return [(t, ("B-" if i == 0 else "I-") + "LOC") for i, t in enumerate(rng.choice(PLACE))]


def filler(rng, n):
    return [(rng.choice(NOUN), "O") for _ in range(n)]


def sentence(rng):
    kind = rng.randrange(4)
    if kind == 0:
        s = person(rng) + [(rng.choice(VERB), "O")] + place(rng) + [(rng.choice(TIME), "O")] + filler(rng, rng.randrange(3))
    elif kind == 1:
        s = filler(rng, 1 + rng.randrange(2)) + [("in", "O")] + place(rng) + [(",", "O")] + person(rng) + [(rng.choice(VERB), "O")] + person(rng)
    elif kind == 2:
        s = person(rng) + [("and", "O")] + person(rng) + [(rng.choice(VERB), "O")] + filler(rng, 2)
    else:
        s = filler(rng, 2 + rng.randrange(3)) + [(rng.choice(VERB), "O")] + filler(rng, 1 + rng.randrange(2))
    return s + [(".", "O")]


def write(path, sentences, comment):
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write(f"# {comment}\n")
        for s in sentences:
            for token, tag in s:
                f.write(f"{token}\t{tag}\n")
            f.write("\n")


def main():
    rng = random.Random(16)
    root = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "LstmSharp.Tests", "Fixtures", "tagging")
    os.makedirs(root, exist_ok=True)
    note = "synthetic, from tools/tagging/make_names_sample.py"
    write(os.path.join(root, "names_train.conll"), [sentence(rng) for _ in range(400)], note)
    write(os.path.join(root, "names_test.conll"), [sentence(rng) for _ in range(80)], note)


if __name__ == "__main__":
    main()
