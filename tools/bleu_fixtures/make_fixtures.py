#!/usr/bin/python3
"""Writes tests/LstmSharp.Tests/Fixtures/bleu/bleu_chrf.json: corpus BLEU from NLTK's corpus_bleu, the 13a
tokenization and chrF (sacreBLEU 2.x algorithm, re-implemented here) for the C# tests of LstmSharp.Translation.

Run with Debian's interpreter: /usr/bin/python3 tools/bleu_fixtures/make_fixtures.py (needs python3-nltk).
The output is deterministic (seeded random corpora, sorted keys). See README.md next to this file.
"""
import json
import math
import os
import platform
import random
import re
import sys
import warnings
from collections import Counter

import nltk
from nltk.translate.bleu_score import (SmoothingFunction, brevity_penalty, closest_ref_length, corpus_bleu,
                                       modified_precision)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "LstmSharp.Tests", "Fixtures",
                   "bleu", "bleu_chrf.json")

# ---------------------------------------------------------------------------------------------------------------
# BLEU: NLTK's corpus_bleu is the oracle. The matches/totals/BP are NLTK's own helpers summed as corpus_bleu sums them.

SMOOTHINGS = {
    "none": lambda eps: None,
    "epsilon": lambda eps: SmoothingFunction(epsilon=eps).method1,
    "nist": lambda eps: SmoothingFunction().method3,
}
SETTINGS = [(4, "none"), (4, "epsilon"), (4, "nist"), (2, "none"), (2, "nist")]
EPSILON = 0.1


def nltk_bleu(hyps, refs, max_order, smoothing):
    weights = tuple([1.0 / max_order] * max_order)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # method0 warns about zero orders
        score = corpus_bleu(refs, hyps, weights=weights, smoothing_function=SMOOTHINGS[smoothing](EPSILON))
    matches, totals = [0] * max_order, [0] * max_order
    hyp_len = ref_len = 0
    for r, h in zip(refs, hyps):
        for n in range(1, max_order + 1):
            p = modified_precision(r, h, n)
            matches[n - 1] += p.numerator
            totals[n - 1] += p.denominator
        hyp_len += len(h)
        ref_len += closest_ref_length(r, len(h))
    return {
        "max_order": max_order, "smoothing": smoothing, "epsilon": EPSILON,
        "nltk_call": "corpus_bleu(references, hypotheses, weights=(1/%d,)*%d, smoothing_function=%s)" % (
            max_order, max_order,
            {"none": "None", "epsilon": "SmoothingFunction(epsilon=%g).method1" % EPSILON,
             "nist": "SmoothingFunction().method3"}[smoothing]),
        "score": float(score), "matches": matches, "totals": totals,
        "brevity_penalty": float(brevity_penalty(ref_len, hyp_len)),
        "hypothesis_length": hyp_len, "reference_length": ref_len,
    }


def bleu_case(name, hyps, refs):
    return {"name": name, "hypotheses": hyps, "references": refs,
            "results": [nltk_bleu(hyps, refs, n, s) for n, s in SETTINGS]}


def s(text):
    return text.split()


ref1a = s("It is a guide to action that ensures that the military will forever heed Party commands")
ref1b = s("It is the guiding principle which guarantees the military forces always being under the command of the Party")
ref1c = s("It is the practical guide for the army always to heed the directions of the party")
hyp1 = s("It is a guide to action which ensures that the military always obeys the commands of the party")
hyp2 = s("he read the book because he was interested in world history")
ref2a = s("he was interested in world history because he read the book")

bleu_cases = [
    bleu_case("nltk_docstring", [hyp1, hyp2], [[ref1a, ref1b, ref1c], [ref2a]]),
    bleu_case("perfect_match", [s("the cat sat on the mat")], [[s("the cat sat on the mat")]]),
    bleu_case("no_overlap", [s("a b c d e")], [[s("v w x y z")]]),
    bleu_case("empty_hypothesis_among_others", [s("the cat sat on the mat"), []],
              [[s("the cat sat on the mat")], [s("a dog barked")]]),
    bleu_case("all_hypotheses_empty", [[], []], [[s("a b")], [s("c")]]),
    bleu_case("no_matching_4grams", [s("the cat sat on a mat today")], [[s("the cat sat in a mat today")]]),
    bleu_case("no_matching_bigrams", [s("mat the on sat cat")], [[s("the cat sat on mat")]]),
    bleu_case("multiple_references_closest_length", [s("the cat is on the mat")],
              [[s("there is a cat on the mat"), s("the cat is on the mat here now"), s("cat on mat")]]),
    bleu_case("reference_length_tie_takes_shorter", [s("a b c d e")], [[s("a b c d"), s("a b c d e f")]]),
    bleu_case("very_short_hypotheses", [s("a"), s("b c"), s("d e f")], [[s("a x")], [s("b c")], [s("d e f g")]]),
    bleu_case("single_token_hypothesis", [s("the")], [[s("the cat")]]),
    bleu_case("hypothesis_longer_than_reference", [s("the cat sat on the mat and slept all day")],
              [[s("the cat sat on the mat")]]),
    bleu_case("repeated_words_clipped", [s("the the the the the the the")],
              [[s("the cat is on the mat"), s("there is a cat on the mat")]]),
    bleu_case("brevity_penalty_example", [s("the cat sat on the mat")], [[s("the cat sat on the mat by the door")]]),
]

rng = random.Random(11)
VOCAB = ["a", "b", "c", "d", "e", "f", "g"]
for k in range(18):
    segments = rng.randint(1, 5)
    hyps, refs = [], []
    for _ in range(segments):
        hyps.append([rng.choice(VOCAB) for _ in range(rng.randint(0 if k % 3 == 0 else 1, 12))])
        refs.append([[rng.choice(VOCAB) for _ in range(rng.randint(1, 12))] for _ in range(rng.randint(1, 3))])
    bleu_cases.append(bleu_case("random_%02d" % k, hyps, refs))

# ---------------------------------------------------------------------------------------------------------------
# 13a tokenizer: sacreBLEU's Tokenizer13a + TokenizerRegexp rules, written out here (sacreBLEU is not in Debian 12).

TOKENIZE_13A_RULES = [
    (re.compile(r'([\{-\~\[-\` -\&\(-\+\:-\@\/])'), r' \1 '),
    (re.compile(r'([^0-9])([\.,])'), r'\1 \2 '),
    (re.compile(r'([\.,])([^0-9])'), r' \1 \2'),
    (re.compile(r'([0-9])(-)'), r'\1 \2 '),
]


def tokenize_13a(line):
    line = line.replace('<skipped>', '').replace('-\n', '').replace('\n', ' ')
    if '&' in line:
        line = line.replace('&quot;', '"').replace('&amp;', '&').replace('&lt;', '<').replace('&gt;', '>')
    line = ' %s ' % line
    for pattern, replacement in TOKENIZE_13A_RULES:
        line = pattern.sub(replacement, line)
    return line.split()


def bleu_text_case(name, hyps, refs):
    hyp_tokens = [tokenize_13a(h) for h in hyps]
    ref_tokens = [[tokenize_13a(r) for r in rs] for rs in refs]
    case = bleu_case(name, hyp_tokens, ref_tokens)
    return {"name": name, "hypotheses": hyps, "references": refs,
            "hypothesis_tokens": hyp_tokens, "reference_tokens": ref_tokens, "results": case["results"]}


bleu_text_cases = [
    bleu_text_case("punctuation", ["Hello, world! It's 3.14 -- isn't it?"], [["Hello , world ! It's 3.14, isn't it ?"]]),
    bleu_text_case("numbers_and_dashes", ["In 1,000 years (from 2020-2030) the cost was $5.50."],
                   [["In 1,000 years, from 2020 - 2030, the cost was $ 5.50 ."]]),
    bleu_text_case("escapes_and_skipped", ["He said &quot;yes&quot; &amp; left <skipped> early &lt;b&gt;."],
                   [["He said \"yes\" & left early <b>.", "he said yes and left early"]]),
    bleu_text_case("line_breaks", ["a well-\nknown fact\nabout e-mail"], [["a wellknown fact about e-mail"]]),
    bleu_text_case("symbols", ["x+y=z; a/b@c #1 [ok] {fine} ~tilde_ `quote` ^caret|pipe\\back"],
                   [["x + y = z ; a / b @ c # 1 [ ok ] { fine } ~ tilde _ ` quote ` ^ caret | pipe \\ back"]]),
    bleu_text_case("periods_commas_edges", ["End.Start ,lead trail, .5 5. a..b 1.2.3 x,,y"],
                   [["End . Start , lead trail , .5 5 . a . . b 1.2.3 x , , y"]]),
    bleu_text_case("unicode_and_whitespace", ["Café\u00a0crème,\tnaïve  façade. \U0001F600!"],
                   [["Café crème , naïve façade . \U0001F600 !"]]),
    bleu_text_case("empty_and_blank", ["", "   ", "the cat sat on the mat."], [["nothing"], ["blank"], ["The cat sat on the mat."]]),
]

# ---------------------------------------------------------------------------------------------------------------
# chrF: sacreBLEU 2.x CHRF(char_order, word_order=0, beta, lowercase=False, whitespace, eps_smoothing=False),
# re-implemented from its algorithm (sacrebleu/metrics/chrf.py, helpers.extract_all_char_ngrams). NLTK's corpus_chrf
# is a different definition (beta=3 default, per-sentence F averaged over orders and sentences, one reference), so it
# is not the oracle here; its value is recorded only as "nltk_corpus_chrf_beta2" for comparison.


def char_ngrams(line, order, whitespace):
    if not whitespace:
        line = ''.join(line.split())
    return [Counter(line[i:i + n] for i in range(len(line) - n + 1)) for n in range(1, order + 1)]


def match_statistics(hyp, ref):
    match = sum(min(c, ref[g]) for g, c in hyp.items() if g in ref)
    return [sum(hyp.values()) if ref else 0, sum(ref.values()), match]


def chrf_f(stats, beta):
    factor = beta ** 2
    prec = rec = 0.0
    eff = 0
    for i in range(len(stats) // 3):
        n_hyp, n_ref, n_match = stats[3 * i: 3 * i + 3]
        if n_hyp > 0 and n_ref > 0:
            prec += n_match / n_hyp
            rec += n_match / n_ref
            eff += 1
    if eff == 0:
        return 0.0, 0.0, 0.0
    prec /= eff
    rec /= eff
    if prec + rec == 0:
        return 0.0, prec, rec
    return (1 + factor) * prec * rec / (factor * prec + rec), prec, rec


def chrf_corpus(hyps, refs, order, beta, whitespace):
    total = [0] * (3 * order)
    for h, rs in zip(hyps, refs):
        hyp_ngrams = char_ngrams(h, order, whitespace)
        best, best_f = None, -1.0
        for r in rs:
            stats = []
            for hn, rn in zip(hyp_ngrams, char_ngrams(r, order, whitespace)):
                stats.extend(match_statistics(hn, rn))
            f = chrf_f(stats, beta)[0]
            if f > best_f:
                best, best_f = stats, f
        total = [a + b for a, b in zip(total, best)]
    score, prec, rec = chrf_f(total, beta)
    return {"char_order": order, "beta": beta, "whitespace": whitespace, "score": score, "precision": prec,
            "recall": rec, "hypothesis_counts": total[0::3], "reference_counts": total[1::3], "matches": total[2::3]}


CHRF_SETTINGS = [(6, 2, False), (6, 2, True), (3, 1, False)]


def chrf_case(name, hyps, refs):
    case = {"name": name, "hypotheses": hyps, "references": refs,
            "results": [chrf_corpus(hyps, refs, o, b, w) for o, b, w in CHRF_SETTINGS]}
    if all(len(rs) == 1 for rs in refs):
        case["nltk_corpus_chrf_beta2"] = nltk.translate.chrf_score.corpus_chrf(
            [rs[0] for rs in refs], hyps, max_len=6, beta=2.0)
    return case


chrf_cases = [
    chrf_case("perfect_match", ["the cat sat on the mat"], [["the cat sat on the mat"]]),
    chrf_case("no_overlap", ["xyz"], [["abc"]]),
    chrf_case("bleu_paper", ["It is a guide to action which ensures that the military always obeys the commands of the party",
                             "It is to insure the troops forever hearing the activity guidebook that party direct"],
              [["It is a guide to action that ensures that the military will forever heed Party commands"],
               ["It is the guiding principle which guarantees the military forces always being under the command of the Party"]]),
    chrf_case("empty_hypothesis", ["", "the cat"], [["a dog"], ["the cat"]]),
    chrf_case("all_empty_hypotheses", ["", " "], [["a dog"], ["cat"]]),
    chrf_case("short_strings", ["ab", "abc", "a b"], [["abcd"], ["ab"], ["ab"]]),
    chrf_case("multiple_references", ["the cat is on the mat"],
              [["there is a cat on the mat", "the cat is on the mat here", "cat"]]),
    chrf_case("unicode", ["Café crème \U0001F600\U0001F600", "naïve façade"], [["Cafe creme \U0001F600", "Café crème"], ["naïve façade!"]]),
    chrf_case("whitespace_kinds", ["a\tb\u00a0c\u2003d\x1ce  f"], [["a b c d e f"]]),
    chrf_case("repeated_characters", ["aaaaaaaa"], [["aaa"]]),
]
for k in range(8):
    segments = rng.randint(1, 4)
    hyps, refs = [], []
    for _ in range(segments):
        hyps.append(" ".join(rng.choice(VOCAB) * rng.randint(1, 3) for _ in range(rng.randint(0, 6))))
        refs.append([" ".join(rng.choice(VOCAB) * rng.randint(1, 3) for _ in range(rng.randint(1, 6)))
                     for _ in range(rng.randint(1, 3))])
    chrf_cases.append(chrf_case("random_%02d" % k, hyps, refs))

# ---------------------------------------------------------------------------------------------------------------
# Self-checks against values published in NLTK's docstrings and the definitions.

assert abs(bleu_cases[0]["results"][0]["score"] - 0.5920778868801042) < 1e-12, bleu_cases[0]["results"][0]["score"]
assert bleu_cases[1]["results"][0]["score"] == 1.0
assert bleu_cases[2]["results"][0]["score"] == 0
assert chrf_cases[0]["results"][0]["score"] == 1.0
assert chrf_cases[1]["results"][0]["score"] == 0.0
assert tokenize_13a("Hello, world!") == ["Hello", ",", "world", "!"]
assert tokenize_13a("3.14 1,000 5-3") == ["3.14", "1,000", "5", "-", "3"]

fixture = {
    "generator": "tools/bleu_fixtures/make_fixtures.py",
    "python": platform.python_version(),
    "nltk": nltk.__version__,
    "bleu_settings": "NLTK corpus_bleu with uniform weights 1/max_order, auto_reweigh=False; smoothing none "
                     "(smoothing_function=None, i.e. method0), epsilon (method1, epsilon=0.1), nist (method3). "
                     "matches/totals are NLTK modified_precision numerators/denominators summed over segments.",
    "tokenizer_13a": "sacreBLEU 2.x Tokenizer13a rules, re-implemented in this script (sacreBLEU is not installed).",
    "chrf_settings": "sacreBLEU 2.x CHRF(char_order, word_order=0, beta, lowercase=False, whitespace, "
                     "eps_smoothing=False), re-implemented in this script; scores in [0, 1] (sacreBLEU prints x100).",
    "bleu": bleu_cases,
    "bleu_text": bleu_text_cases,
    "chrf": chrf_cases,
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, "w", encoding="ascii") as f:
    json.dump(fixture, f, indent=1, sort_keys=True, ensure_ascii=True)
    f.write("\n")
print("wrote %s: %d BLEU sets, %d text BLEU sets, %d chrF sets" % (
    os.path.normpath(OUT), len(bleu_cases), len(bleu_text_cases), len(chrf_cases)), file=sys.stderr)
