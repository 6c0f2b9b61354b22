#!/usr/bin/python3
"""The Self-Instruct filter (sql/self_instruct_requests.sql, then
sql/self_instruct_filter.sql) over a pool of N generated instructions: the
time of the ROUGE-L step with and without the MinHash-LSH prefilter, and the
prefilter's recall against the exhaustive check.

    /usr/bin/python3 bench/self_instruct.py [--lib dist/corpus] [--n 50000]
        [--seed N] [--sample 2000] [--lsh "128:42:3,128:64:2,..."]
        [--no-exhaustive] [--corpora-dir /tmp/corpora] [--dir DIR] [--keep]

Standard library only (Debian's python3: the first python3 on PATH may not
load extensions), one thread.  Figures, never a verdict.

What runs
---------
1. A seed pool: test/data/llm/seed_tasks.jsonl (10 seeds) in si_pool
   (source 'seed'); part 1 (sql/self_instruct_requests.sql, its settings
   edited by text substitution of its lines: prompts = the number of
   responses, the request file in DIR) writes the prompts and requests.
2. The generator below writes one batch-output file (OpenAI Batch API
   output lines: id, custom_id si-1-P, response.status_code 200,
   response.body.choices[0].message.content, finish_reason "stop", usage,
   error null), one line a request, each content a numbered list "9. a\n10.
   b\n..." (or, as a completion model goes on after the prompt's "9.", the
   first item without its number), N instructions in all.
3. Part 2 (sql/self_instruct_filter.sql), in a fresh copy of the database
   made after part 1 for each run, with si_settings.prefilter (and num_perm,
   bands, rows) set by UPDATE: once with the prefilter at every --lsh
   setting (the first is the recipe's own, 128:42:3), once without
   (exhaustive, unless --no-exhaustive).  Part 2 is run as its text cut at
   the "-- 1.", "-- 4." and "-- 5." markers, each piece timed (wall clock
   and this process's CPU time, getrusage): step 4 is the ROUGE-L step.
4. Checks and recall:
   - the candidates and their non-ROUGE verdicts (reason other than
     'rouge-l') the same in every run, and the candidates as parsed the same
     as the instructions written (after the recipe's white space collapse
     and capitalization);
   - recall over decisions: of the candidates the exhaustive run drops for
     ROUGE-L, the share the prefilter run drops too; the candidates dropped
     by one run only; the final pools' difference;
   - recall over pairs, independent of the greedy order: for --sample
     candidates drawn at random among those that reached the ROUGE-L step,
     every instruction of the exhaustive run's final pool (seeds and kept,
     the candidate itself left out) with rouge_l >= the threshold, and the
     share of those pairs that share an LSH bucket, at each --lsh setting;
   - comparisons (rouge_l calls) of each run: for the exhaustive run, the
     pool's size at each candidate; for a prefilter run, the pool
     instructions of that time sharing a bucket with the candidate (counted
     afterwards from si_band);
   - a baseline measured in the same run: the sample's pairs read with
     length() of both texts instead of rouge_l().

How the instructions are made (offline, reproducible for a seed)
---------------------------------------------------------------
There is no model output here: the instructions are built from real
English sentences.  From the corpora of /work/shared/corpora/build.sh
(sotu, fortunes, debian-handbook en-US, gcide, jargon, foldoc, pydoc-3.11,
sqlite-doc; JSON Lines with "text"), each text's white space is collapsed,
its {links} unbraced, and it is cut into sentences after . ! or ? before an
upper-case letter; a sentence is kept if it is ASCII, 4-40 words, starts
with an upper-case letter and ends with . ! or ?, has none of {}[]<>|\\/_=@#
$%^*~` nor "--", is at least 75% letters and spaces, and was not seen before
(case folded).  Noun phrases are cut from them: the words after a
determiner (the, a, an, this, its, their, ...) up to a function word or
punctuation, 1-4 words, optionally followed by "of"/"for"/"in" and 1-3 more
words.  Corpora are drawn with weights (sotu 3, fortunes 2,
debian-handbook 2, the others 1).

An original instruction is a template of one of 24 families filled with a
sentence S ("Summarize the following sentence: S", "Paraphrase ...",
"Translate ... into French", "Classify the sentiment ...", "Explain why
s", "Is the following statement true or false? S", ...; 66%), a noun
phrase N ("Explain what N is.", "Write a short paragraph about N.", "Give
three examples of N.", "List five facts about N.", "Write a haiku about
N.", ...; 23%; half of them, and all those too short otherwise, with a
tail of 40 such as " for a blog post", " in a formal tone") or two
("Compare N1 and N2.", "What is the difference between N1 and N2?"; 8%),
and as a model also produces them: 1.5% "Write a program that ..." tasks,
1% of fewer than 4 words ("Say hello.") and 0.5% wrapped in quotes; banned
keywords come with the sentences (file, map, ...).  Each family has 3-4
templates that say the same thing in other words.  As a model fills a long
template with more content, the sentence has at least 0.8 times the
template's words and the noun phrase with its tail 0.6 times (drawn again,
up to 20 times, if not).

A near-duplicate, as a model repeats itself across a batch, is made with
probability --dup (default 0.15) instead of an original: a rewording of an
earlier instruction of the batch drawn at random (90%; a chain of
rewordings is possible) or of one of the seeds its own prompt shows (10%),
of one of these kinds:
  exact     the same text (5%)
  format    case, punctuation and white space changed only (15%)
  template  the same content in another template of the family (30%;
            one time in four, of another family of the same kind)
  edit      1-3 words substituted (a synonym or a word of the corpora),
            deleted or inserted (30%)
  extend    a qualifier added ("in one sentence", "for a child", ...) or
            the last 1-3 words dropped (20%)
Not all of them score 0.7 or more against their source (a template swap
around a short noun phrase often does not), and originals that share a
template and a short noun phrase may: the report gives the share of
candidates the ROUGE-L step drops, planted or not (seed 1 at 30,000: 25.0%
of the candidates, 90.1% of the planted ones, 15.1% of the originals; at
50,000, 27.6% with the prefilter).
A response holds 7 instructions (80%), 6 (10%), 5 (5%) or 4 (5%), the last
one what is left of N; no "16." at its end (the API strips the stop
sequences).
"""
import argparse
import datetime
import json
import os
import random
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# ---------------------------------------------------------------- corpora --

CORPORA = [("sotu", 3), ("fortunes", 2), ("debian-handbook", 2), ("gcide", 1),
           ("jargon", 1), ("foldoc", 1), ("pydoc-3.11", 1), ("sqlite-doc", 1)]

SENT_SPLIT = re.compile(r'(?<=[.!?])\s+(?=[A-Z])')
BAD_CHARS = re.compile(r'[{}\[\]<>|\\/_=@#$%^*~`]|--')
DETERMINERS = set("the a an this that these those its their our his her my your each every some".split())
STOP = set("""
of to in on at by for with from as into about than and or but nor not no that which who whom
whose what when where why how if then so such very also only just more most is are was were be
been being has have had do does did will would can could should may might must shall it they
he she we you i there here all any both either neither one two three many much few other same
own too again once out up down over under off per via upon within without through during before
after between among against while until unless because although though whether yet still even
""".split())
WORD = re.compile(r"^[A-Za-z][A-Za-z'-]*$")


def read_sentences(corpora_dir):
    """{corpus: [sentence, ...]} in file order, and a list of words."""
    out = {}
    seen = set()
    vocab = set()
    for name, _ in CORPORA:
        path = os.path.join(corpora_dir, name + ".jsonl")
        if not os.path.exists(path):
            sys.exit("self_instruct.py: no %s: build the corpora with "
                     "CORPORA_DIR=%s bash /work/shared/corpora/build.sh" % (path, corpora_dir))
        sents = []
        with open(path, encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                if name == "debian-handbook" and "/en-US/" not in d.get("id", ""):
                    continue
                text = " ".join(d["text"].split())
                text = re.sub(r"\{([^{}]*)\}", r"\1", text)
                for s in SENT_SPLIT.split(text):
                    if not s.isascii() or BAD_CHARS.search(s):
                        continue
                    w = s.split()
                    if len(w) < 4 or len(w) > 40:
                        continue
                    if not ("A" <= s[0] <= "Z") or s[-1] not in ".!?":
                        continue
                    if sum(c.isalpha() or c == " " for c in s) < 0.75 * len(s) or "&" in s:
                        continue
                    if sum(1 for t in w if t.isalpha()) < 0.6 * len(w):
                        continue
                    k = s.lower()
                    if k in seen:
                        continue
                    seen.add(k)
                    sents.append(s)
                    for t in w:
                        if WORD.match(t) and t.islower() and 3 <= len(t) <= 12:
                            vocab.add(t)
        out[name] = sents
    return out, sorted(vocab)


def noun_phrases(sentence):
    """Spans after a determiner, up to a function word or punctuation."""
    toks = sentence.split()
    res = []
    for i, t in enumerate(toks[:-1]):
        if t.lower() not in DETERMINERS:
            continue
        words = []
        j = i + 1
        end = False
        while j < len(toks) and len(words) < 4:
            w = toks[j]
            core = w.rstrip(".,;:!?)\"'")
            if not WORD.match(core) or core.lower() in STOP:
                break
            words.append(core)
            j += 1
            if core != w:
                end = True
                break
        if not words:
            continue
        # optionally "of/for/in" + 1-3 words
        if not end and j < len(toks) - 1 and toks[j].lower() in ("of", "for", "in"):
            more = []
            k = j + 1
            while k < len(toks) and len(more) < 3:
                w = toks[k]
                core = w.rstrip(".,;:!?)\"'")
                if not WORD.match(core) or (core.lower() in STOP and core.lower() not in DETERMINERS):
                    break
                more.append(core)
                k += 1
                if core != w:
                    break
            if more and more[-1].lower() not in DETERMINERS:
                words = words + [toks[j].lower()] + more
        if len(words) < 2:
            continue
        np = " ".join(words)
        res.append(t.lower() + " " + np if t.lower() in ("the", "a", "an") and len(words) > 1 else np)
    return res


# -------------------------------------------------------------- templates --

# Families: kind 'S' (a sentence S; s = its first letter lowered, its end
# punctuation dropped), 'N' (a noun phrase), 'NN' (two).
FAMILIES = {
    "summarize": ("S", ["Summarize the following sentence: {S}",
                        "Summarize this sentence in a few words: {S}",
                        "Give a short summary of the following sentence: {S}",
                        "Write a one-line summary of this sentence: {S}"]),
    "paraphrase": ("S", ["Paraphrase the following sentence: {S}",
                         "Rewrite the following sentence in your own words: {S}",
                         "Rephrase this sentence: {S}",
                         "Reword the sentence below so that it means the same: {S}"]),
    "simplify": ("S", ["Rewrite this sentence in simpler language: {S}",
                       "Make the following sentence easier to understand: {S}",
                       "Simplify the sentence: {S}"]),
    "translate": ("S", ["Translate the following sentence into French: {S}",
                        "Translate this sentence to Spanish: {S}",
                        "How would you say this in German? {S}",
                        "Translate into Italian: {S}"]),
    "sentiment": ("S", ["Classify the sentiment of this sentence as positive, negative, or neutral: {S}",
                        "Is the tone of the following sentence positive or negative? {S}",
                        "Determine the sentiment of the given sentence: {S}"]),
    "grammar": ("S", ["Find the grammatical error in the following sentence and correct it: {S}",
                      "Check this sentence for grammar mistakes: {S}",
                      "Proofread the sentence below and fix any errors: {S}"]),
    "why": ("S", ["Explain why {s}.",
                  "Give reasons why {s}.",
                  "Can you explain why {s}?"]),
    "truth": ("S", ["Is the following statement true or false? {S}",
                    "Decide whether this statement is true or false: {S}",
                    "Fact-check the following claim: {S}"]),
    "passive": ("S", ["Rewrite the sentence in the passive voice: {S}",
                      "Change the following sentence to passive voice: {S}",
                      "Convert this sentence into the passive voice: {S}"]),
    "quote": ("S", ["Explain the meaning of this quote: {S}",
                    "What does the following saying mean? {S}",
                    "Interpret this quotation: {S}"]),
    "counter": ("S", ["Give a counterargument to the claim that {s}.",
                      "Argue against the statement that {s}.",
                      "Write a rebuttal to the claim that {s}."]),
    "keywords": ("S", ["Extract the keywords from the following sentence: {S}",
                       "List the most important words in this sentence: {S}",
                       "Identify the key terms in the sentence: {S}"]),
    "explain": ("N", ["Explain what {N} is.",
                      "Explain the concept of {N}.",
                      "Describe {N} in simple terms.",
                      "What is {N}? Explain briefly."]),
    "paragraph": ("N", ["Write a short paragraph about {N}.",
                        "Write a brief paragraph on {N}.",
                        "Compose a short paragraph describing {N}."]),
    "examples": ("N", ["Give three examples of {N}.",
                       "List three examples of {N}.",
                       "Provide some examples of {N}.",
                       "Name a few examples of {N}."]),
    "facts": ("N", ["List five facts about {N}.",
                    "Tell me some interesting facts about {N}.",
                    "Give me three fun facts about {N}."]),
    "haiku": ("N", ["Write a haiku about {N}.",
                    "Compose a short poem about {N}.",
                    "Write a limerick about {N}."]),
    "child": ("N", ["Explain {N} to a child.",
                    "How would you explain {N} to a five-year-old?",
                    "Describe {N} so that a child can understand it."]),
    "proscons": ("N", ["What are the advantages and disadvantages of {N}?",
                       "List the pros and cons of {N}.",
                       "Discuss the benefits and drawbacks of {N}."]),
    "story": ("N", ["Write a short story about {N}.",
                    "Tell a story that involves {N}.",
                    "Create a story for children about {N}."]),
    "questions": ("N", ["Generate a list of questions about {N}.",
                        "Come up with three questions to ask about {N}.",
                        "Write a quiz question about {N}."]),
    "slogan": ("N", ["Come up with a slogan for {N}.",
                     "Suggest a catchy slogan about {N}.",
                     "Create an advertising slogan for {N}."]),
    "compare": ("NN", ["Compare {N} and {M}.",
                       "Compare and contrast {N} with {M}.",
                       "How are {N} and {M} similar?"]),
    "difference": ("NN", ["What is the difference between {N} and {M}?",
                          "Explain the difference between {N} and {M}.",
                          "Describe how {N} differs from {M}."]),
}
FAM_BY_KIND = {}
for _f, (_k, _t) in FAMILIES.items():
    FAM_BY_KIND.setdefault(_k, []).append(_f)

PROGRAM = ["Write a program that counts the words in {N}.",
           "Write a program to sort a list of {N}.",
           "Write a program that prints {N}."]
SHORT = ["Say hello.", "Name a color.", "Count to ten.", "Smile.", "Tell a joke.",
         "Be creative.", "Say goodbye."]
SYNONYMS = {"explain": "describe", "describe": "explain", "write": "compose", "compose": "write",
            "short": "brief", "brief": "short", "give": "provide", "provide": "give",
            "list": "name", "name": "list", "three": "five", "five": "three",
            "examples": "instances", "following": "given", "given": "following",
            "sentence": "statement", "statement": "sentence", "facts": "details",
            "story": "tale", "questions": "queries", "simple": "plain", "rewrite": "rephrase",
            "important": "significant", "good": "great", "new": "novel", "large": "big",
            "small": "little", "make": "create", "create": "make", "find": "identify"}
INSERTS = ["very", "also", "briefly", "carefully", "simple", "new", "main", "clearly",
           "really", "quickly", "please", "exactly", "then"]
# an optional tail of a noun-phrase task (half of them): audience, purpose, form
TAILS = [" for a history class", " for a blog post", " in the style of a news report",
         " from the point of view of an expert", " for a beginner", " for a school newspaper",
         " in a formal tone", " in a humorous way", " for a job interview", " for a podcast episode",
         " in the form of a dialogue", " for social media", " for a museum guide",
         " as a teacher would", " for a product manual", " in under 100 words",
         " for a travel brochure", " in the voice of a pirate", " for an engineering team",
         " for a children's encyclopedia", " for a marketing email", " in the style of Shakespeare",
         " for a science fair", " for a company newsletter", " as a list of bullet points",
         " for a radio advertisement", " for a retirement party", " for a first-year student",
         " for a skeptical reader", " in two sentences", " using an analogy", " with a real-world example",
         " for a town hall meeting", " for a technical interview", " as a short speech",
         " for a wiki page", " for a board game", " for a medical student", " for a comic strip",
         " in plain English"]
QUALIFIERS = [" in one sentence", " in simple terms", " for a child", " in no more than 50 words",
              " and explain your answer", " using bullet points", " in detail",
              " for a general audience", " step by step"]


def render(fam, ti, slots):
    t = FAMILIES[fam][1][ti]
    S = slots.get("S", "")
    s = S[:1].lower() + S[1:]
    s = s.rstrip(".!?")
    text = t.format(S=S, s=s, N=slots.get("N", ""), M=slots.get("M", ""))
    tail = slots.get("T")
    if tail and FAMILIES[fam][0] == "N":
        end = text[-1]
        text = text[:-1] + tail + end
    return text


class Generator:
    def __init__(self, rng, sents, vocab, dup):
        self.r = rng
        self.vocab = vocab
        self.dup = dup
        names = [c for c, _ in CORPORA if sents[c]]
        self.names = names
        self.weights = [w for c, w in CORPORA if sents[c]]
        self.sents = {c: list(sents[c]) for c in names}
        for c in names:
            rng.shuffle(self.sents[c])
        self.pos = {c: 0 for c in names}
        self.nps = {c: [] for c in names}
        self.made = []         # (text, structure) of every instruction made
        self.kinds = []        # 'orig', 'orig-bait', or 'dup-KIND'

    def sentence(self):
        c = self.r.choices(self.names, self.weights)[0]
        lst = self.sents[c]
        if self.pos[c] >= len(lst):        # used up: start over, reshuffled
            self.r.shuffle(lst)
            self.pos[c] = 0
        s = lst[self.pos[c]]
        self.pos[c] += 1
        return c, s

    def noun_phrase(self):
        for _ in range(50):
            c, s = self.sentence()
            nps = noun_phrases(s)
            if nps:
                return self.r.choice(nps)
        return "the weather"

    def original(self):
        r = self.r.random()
        if r < 0.015:
            return self.r.choice(PROGRAM).format(N=self.noun_phrase()), None, "orig-program"
        if r < 0.025:
            return self.r.choice(SHORT), None, "orig-short"
        u = self.r.random()
        kind = "S" if u < 0.68 else ("N" if u < 0.92 else "NN")
        fam = self.r.choice(FAM_BY_KIND[kind])
        ti = self.r.randrange(len(FAMILIES[fam][1]))
        # a model fills a long template with more content: the sentence at
        # least 0.8 times the template's words, a noun phrase (with its
        # tail) at least 0.6 times (drawn again, up to 20 times)
        tw = len(FAMILIES[fam][1][ti].split()) - 1
        if kind == "S":
            for _ in range(20):
                S = self.sentence()[1]
                if len(S.split()) >= max(4, 0.8 * tw):
                    break
            slots = {"S": S}
        elif kind == "N":
            for _ in range(20):
                slots = {"N": self.noun_phrase()}
                if self.r.random() < 0.5:
                    slots["T"] = self.r.choice(TAILS)
                cw = len(slots["N"].split()) + len(slots.get("T", "").split())
                if cw < 0.6 * tw and "T" not in slots:
                    slots["T"] = self.r.choice(TAILS)
                    cw = len(slots["N"].split()) + len(slots["T"].split())
                if cw >= 0.6 * tw:
                    break
        else:
            slots = {"N": self.noun_phrase(), "M": self.noun_phrase()}
        text = render(fam, ti, slots)
        if self.r.random() < 0.005:
            text = '"' + text + '"'
            return text, None, "orig-quoted"
        return text, (fam, ti, slots), "orig"

    def fmt(self, text):
        r = self.r
        ops = r.sample(range(5), r.randint(1, 2))
        for op in ops:
            if op == 0:
                text = text.lower()
            elif op == 1:
                text = text.rstrip(".?!:") if text[-1] in ".?!" else text + "."
            elif op == 2:
                w = text.split(" ")
                i = r.randrange(len(w))
                w[i] = w[i].upper() if r.random() < 0.5 else w[i].capitalize()
                text = " ".join(w)
            elif op == 3:
                w = text.split(" ")
                if len(w) > 2:
                    i = r.randrange(1, len(w))
                    w[i] = "  " + w[i]
                text = " ".join(w)
            else:
                text = text.replace(":", " -", 1) if ":" in text else text.rstrip(".") + "!"
        return text

    def edit(self, text):
        r = self.r
        w = text.split(" ")
        for _ in range(r.randint(1, 3)):
            if len(w) < 3:
                break
            op = r.randrange(3)
            i = r.randrange(1, len(w))
            if op == 0:
                core = w[i].rstrip(".,:;?!")
                tail = w[i][len(core):]
                sub = SYNONYMS.get(core.lower()) or r.choice(self.vocab)
                w[i] = sub + tail
            elif op == 1:
                if w[i] and w[i][-1] in ".?!:" and i > 1:
                    w[i - 1] = w[i - 1] + w[i][-1]
                del w[i]
            else:
                w.insert(i, r.choice(INSERTS) if r.random() < 0.6 else r.choice(self.vocab))
        return " ".join(w)

    def extend(self, text):
        r = self.r
        end = text[-1] if text[-1] in ".?!" else ""
        body = text[:-1] if end else text
        if r.random() < 0.6:
            return body + r.choice(QUALIFIERS) + (end or ".")
        w = body.split(" ")
        k = min(r.randint(1, 3), max(0, len(w) - 3))
        return " ".join(w[:len(w) - k]) + (end or ".")

    def near_dup(self, seeds):
        r = self.r
        if seeds and (r.random() < 0.10 or not self.made):
            src, struct = r.choice(seeds), None
        else:
            src, struct = self.made[r.randrange(len(self.made))]
        u = r.random()
        if u < 0.05:
            return src, struct, "dup-exact"
        if u < 0.20:
            return self.fmt(src), None, "dup-format"
        if u < 0.50 and struct is not None:
            fam, ti, slots = struct
            kind = FAMILIES[fam][0]
            if r.random() < 0.25:
                fam = r.choice(FAM_BY_KIND[kind])
            n = len(FAMILIES[fam][1])
            ti2 = r.randrange(n)
            if fam == struct[0] and n > 1:
                while ti2 == ti:
                    ti2 = r.randrange(n)
            return render(fam, ti2, slots), (fam, ti2, slots), "dup-template"
        if u < 0.80:
            return self.edit(src), None, "dup-edit"
        return self.extend(src), None, "dup-extend"

    def next(self, seeds):
        if self.made and self.r.random() < self.dup:
            text, struct, kind = self.near_dup(seeds)
        else:
            text, struct, kind = self.original()
        self.made.append((text, struct))
        self.kinds.append(kind)
        return text


def response_sizes(rng, n):
    sizes = []
    total = 0
    while total < n:
        u = rng.random()
        k = 7 if u < 0.80 else 6 if u < 0.90 else 5 if u < 0.95 else 4
        k = min(k, n - total)
        sizes.append(k)
        total += k
    return sizes


def batch_line(rng, p, text, prompt):
    h = "%032x" % rng.getrandbits(128)
    pt, ct = len(prompt) // 4, len(text) // 4
    return json.dumps({
        "id": "batch_req_" + h[:24], "custom_id": "si-1-%d" % p,
        "response": {"status_code": 200, "request_id": "req_" + h[8:32],
                     "body": {"id": "chatcmpl-" + h[4:28], "object": "chat.completion",
                              "created": 1764547200, "model": "gpt-4o-mini-2024-07-18",
                              "choices": [{"index": 0,
                                           "message": {"role": "assistant", "content": text,
                                                       "refusal": None},
                                           "logprobs": None, "finish_reason": "stop"}],
                              "usage": {"prompt_tokens": pt, "completion_tokens": ct,
                                        "total_tokens": pt + ct}}},
        "error": None})


# ------------------------------------------------------------------- run --

def cpu():
    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


class Timer:
    def __enter__(self):
        self.w0, self.c0 = time.perf_counter(), cpu()
        return self

    def __exit__(self, *a):
        self.wall = time.perf_counter() - self.w0
        self.cpu = cpu() - self.c0


def connect(lib, path):
    db = sqlite3.connect(path, isolation_level=None)
    db.enable_load_extension(True)
    db.load_extension(lib)
    db.enable_load_extension(False)
    return db


def split_filter(sql):
    """Part 2 cut before its '-- 1.', '-- 4.' and '-- 5.' markers."""
    cuts = []
    for m in ("\n-- 1.", "\n-- 4.", "\n-- 5."):
        i = sql.find(m)
        if i < 0 or sql.find(m, i + 1) >= 0:
            sys.exit("self_instruct.py: marker %r not found once in the filter script" % m.strip())
        cuts.append(i + 1)
    return [("0. checks", sql[:cuts[0]]), ("1-3. read, parse, filters", sql[cuts[0]:cuts[1]]),
            ("4. ROUGE-L", sql[cuts[1]:cuts[2]]), ("5. report", sql[cuts[2]:])]


def remove_db(path):
    for x in (path, path + "-journal", path + "-wal", path + "-shm"):
        if os.path.exists(x):
            os.remove(x)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def out(*a):
    print(*a, flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lib", default=os.path.join(ROOT, "dist", "corpus"))
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--dup", type=float, default=0.15)
    ap.add_argument("--sample", type=int, default=2000)
    ap.add_argument("--lsh", default="128:42:3")
    ap.add_argument("--pairs-lsh", default="128:64:2,128:21:6,256:85:3")
    ap.add_argument("--no-exhaustive", action="store_true")
    ap.add_argument("--corpora-dir", default=os.environ.get("CORPORA_DIR", "/tmp/corpora"))
    ap.add_argument("--dir", default="/tmp/corpus-bench-si")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 1 << 31)
    def lsh_list(arg):
        res = []
        for s in filter(None, arg.split(",")):
            np_, b, rw = (int(x) for x in s.split(":"))
            if b * rw > np_:
                sys.exit("self_instruct.py: %s: bands * rows > num_perm" % s)
            res.append((np_, b, rw))
        return res
    lsh = lsh_list(a.lsh)
    pairs_lsh = [x for x in lsh_list(a.pairs_lsh) if x not in lsh]
    lib = os.path.abspath(a.lib)
    os.makedirs(a.dir, exist_ok=True)

    cpu_model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        commit, dirty = "?", ""
    out("self-instruct: the ROUGE-L filter with and without the MinHash prefilter (bench/self_instruct.py)")
    out("date:     %s UTC" % datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S"))
    out("command:  /usr/bin/python3 bench/self_instruct.py " + " ".join(sys.argv[1:]))
    out("cpu:      %s" % cpu_model)
    out("nproc:    %d (one used)" % os.cpu_count())
    out("commit:   %s%s" % (commit, " (work tree modified: %d tracked files)" % len(dirty.splitlines()) if dirty else ""))
    out("seed:     %d" % a.seed)
    out("n:        %d instructions, near-duplicate rate %.2f, pair sample %d" % (a.n, a.dup, a.sample))
    out("lsh:      runs of part 2 at %s; pair recall also at %s" % (
        ", ".join("%d:%d:%d" % x for x in lsh), ", ".join("%d:%d:%d" % x for x in pairs_lsh) or "-"))
    def lib_stamp():
        st = os.stat(lib + ".so" if os.path.exists(lib + ".so") else lib)
        return "%d bytes, modified %s UTC" % (st.st_size, datetime.datetime.utcfromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M:%S"))
    stamp = lib_stamp()
    out("library:  %s (%s)" % (lib, stamp))
    probe = connect(lib, ":memory:")
    out("corpus_debug(): " + "; ".join(probe.execute("SELECT corpus_debug()").fetchone()[0].splitlines()))
    probe.close()

    # -- the instructions --------------------------------------------------
    rng = random.Random(a.seed)
    with Timer() as t:
        sents, vocab = read_sentences(a.corpora_dir)
    out("== sentences: %s (%.1f s)" % (", ".join("%s %d" % (c, len(sents[c])) for c, _ in CORPORA), t.wall))
    sizes = response_sizes(rng, a.n)

    # -- part 1 ------------------------------------------------------------
    with open(os.path.join(ROOT, "sql", "self_instruct_requests.sql")) as f:
        part1 = f.read()
    with open(os.path.join(ROOT, "sql", "self_instruct_filter.sql")) as f:
        part2 = f.read()
    responses = os.path.join(a.dir, "si-responses.jsonl")
    for old, new in ((" 20 AS prompts,", " %d AS prompts," % len(sizes)),
                     ("'si-requests.jsonl' AS requests", "'%s' AS requests" % os.path.join(a.dir, "si-requests.jsonl")),
                     ("'si-responses.jsonl' AS responses", "'%s' AS responses" % responses)):
        if part1.count(old) != 1:
            sys.exit("self_instruct.py: part 1's settings line %r not found once" % old)
        part1 = part1.replace(old, new)
    base = os.path.join(a.dir, "base.db")
    remove_db(base)
    db = connect(lib, base)
    db.execute("CREATE TABLE si_pool(id INTEGER PRIMARY KEY, instruction TEXT NOT NULL, source TEXT, round INTEGER)")
    seeds_raw = [json.loads(l)["instruction"] for l in open(os.path.join(ROOT, "test", "data", "llm", "seed_tasks.jsonl"))]
    db.executemany("INSERT INTO si_pool(instruction, source, round) VALUES (?, 'seed', 0)", [(s,) for s in seeds_raw])
    with Timer() as t:
        db.executescript(part1)
    prompts = dict(db.execute("SELECT prompt_no, prompt FROM si_prompt"))
    out("== part 1: %d prompts, %d requests (%.2f s)" % (len(prompts), db.execute("SELECT count(*) FROM si_request").fetchone()[0], t.wall))
    db.close()

    # -- the responses -----------------------------------------------------
    gen = Generator(rng, sents, vocab, a.dup)
    expected = []
    with Timer() as t, open(responses + ".tmp", "w") as f:
        for p, k in enumerate(sizes, 1):
            shown = [re.sub(r"^\d+\. ", "", l) for l in prompts[p].split("\n")[1:-1]]
            items = [gen.next(shown) for _ in range(k)]
            expected.extend(items)
            lines = ["%d. %s" % (9 + i, x) for i, x in enumerate(items)]
            if rng.random() < 0.5:              # a completion model goes on after "9."
                lines[0] = " " + items[0]
            text = "\n".join(lines)
            f.write(batch_line(rng, p, text, prompts[p]) + "\n")
    os.replace(responses + ".tmp", responses)
    kinds = {}
    for k in gen.kinds:
        kinds[k] = kinds.get(k, 0) + 1
    out("== responses: %d lines, %d instructions, %.1f MB (%.1f s); made: %s" % (
        len(sizes), len(expected), os.path.getsize(responses) / 1e6, t.wall,
        ", ".join("%s %d" % kv for kv in sorted(kinds.items()))))

    # -- part 2, each run in a fresh copy ----------------------------------
    pieces = split_filter(part2)
    runs = [("prefilter %d:%d:%d" % s, 1, s) for s in lsh]
    if not a.no_exhaustive:
        runs.append(("exhaustive", 0, lsh[0]))
    results = {}
    for name, pre, (np_, b, rw) in runs:
        path = os.path.join(a.dir, "run-%s.db" % name.replace(" ", "-").replace(":", "-"))
        remove_db(path)      # a journal left by a killed run would be rolled back into the copy
        shutil.copyfile(base, path)
        db = connect(lib, path)
        db.execute("UPDATE si_settings SET prefilter = ?, num_perm = ?, bands = ?, rows = ?", (pre, np_, b, rw))
        times = []
        for label, sql in pieces:
            with Timer() as t:
                db.executescript(sql)
            times.append((label, t.wall, t.cpu))
        cand = db.execute("SELECT id, instruction, reason, similar_id, rouge_l FROM si_candidate ORDER BY id").fetchall()
        pool = db.execute("SELECT id, instruction, source FROM si_pool ORDER BY id").fetchall()
        report = db.execute("SELECT what, value, n FROM si_report ORDER BY what, value").fetchall()
        results[name] = dict(path=path, times=times, cand=cand, pool=pool, report=report, pre=pre, lsh=(np_, b, rw))
        db.close()
        t4 = times[2]
        out("== part 2, %s: %s; step 4 %.2f s wall, %.2f s CPU; kept %d of %d; loadavg after: %s" % (
            name, ", ".join("%s %.2f s" % (l, w) for l, w, c in times), t4[1], t4[2],
            sum(1 for c in cand if c[2] is None), len(cand), loadavg()))

    # -- checks ------------------------------------------------------------
    first = results[runs[0][0]]
    cand0 = first["cand"]
    norm = [" ".join(x.split()) for x in expected]
    norm = [x[:1].upper() + x[1:].lower() for x in norm]
    got = [c[1] for c in cand0]
    mism = [i for i, (x, y) in enumerate(zip(norm, got)) if x != y]
    out("== checks")
    out("   candidates parsed %d of %d written; %d differ from the written text (white space collapsed, capitalized)%s" % (
        len(got), len(norm), len(mism) + abs(len(got) - len(norm)),
        "" if not mism else ": first #%d %r vs %r" % (mism[0] + 1, norm[mism[0]], got[mism[0]])))
    other0 = [(c[0], c[1], c[2] if c[2] != "rouge-l" else None) for c in cand0]
    for name, _, _ in runs[1:]:
        o = [(c[0], c[1], c[2] if c[2] != "rouge-l" else None) for c in results[name]["cand"]]
        out("   non-ROUGE verdicts, %s vs %s: %s" % (name, runs[0][0], "identical" if o == other0 else
            "DIFFER in %d candidates" % sum(1 for x, y in zip(o, other0) if x != y)))
    rep = {}
    for what, value, n in first["report"]:
        rep.setdefault(what, []).append("%s %d" % (value, n))
    for what in rep:
        out("   %s (%s): %s" % (what, runs[0][0], ", ".join(rep[what])))

    n_cand = len(cand0)
    reach = [c for c in cand0 if c[2] in (None, "rouge-l")]
    n_reach = len(reach)

    # the kinds of the dropped ones (planted near-duplicates or not)
    def drop_by_kind(cand):
        d = {}
        for c, k in zip(cand, gen.kinds):
            if c[2] in (None, "rouge-l"):
                g = "planted" if k.startswith("dup") else "original"
                x = d.setdefault(g, [0, 0])
                x[0] += 1
                x[1] += c[2] == "rouge-l"
        return d

    ref_name = "exhaustive" if "exhaustive" in results else runs[0][0]
    ref = results[ref_name]
    n_drop = sum(1 for c in ref["cand"] if c[2] == "rouge-l")
    dk = drop_by_kind(ref["cand"])
    out("   %s: ROUGE-L drops %d of %d candidates (%.1f%%), of the %d that reach step 4 %.1f%%; planted near-duplicates %d of %d (%.1f%%), originals %d of %d (%.1f%%)" % (
        ref_name, n_drop, n_cand, 100.0 * n_drop / n_cand, n_reach, 100.0 * n_drop / n_reach,
        dk.get("planted", [0, 0])[1], dk.get("planted", [0, 0])[0], 100.0 * dk.get("planted", [0, 1])[1] / max(1, dk.get("planted", [0, 1])[0]),
        dk.get("original", [0, 0])[1], dk.get("original", [0, 0])[0], 100.0 * dk.get("original", [0, 1])[1] / max(1, dk.get("original", [0, 1])[0])))
    by_kind = {}
    for c, k in zip(ref["cand"], gen.kinds):
        if c[2] in (None, "rouge-l"):
            x = by_kind.setdefault(k, [0, 0])
            x[0] += 1
            x[1] += c[2] == "rouge-l"
    out("   dropped by kind made (%s): %s" % (ref_name, ", ".join("%s %d/%d" % (k, v[1], v[0]) for k, v in sorted(by_kind.items()))))

    # -- comparisons (rouge_l calls) of each run ---------------------------
    nseed = len(seeds_raw)
    for name, pre, (np_, b, rw) in runs:
        r = results[name]
        db = connect(lib, r["path"])
        # the pool's last id when each candidate came: seeds, then the kept in order
        db.executescript("""
          DROP TABLE IF EXISTS temp.b_lim;
          CREATE TEMP TABLE b_lim(cid INTEGER PRIMARY KEY, lim INTEGER);
          INSERT INTO b_lim
            SELECT id, %d + coalesce(sum(reason IS NULL) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
              FROM si_candidate WHERE reason IS NULL OR reason = 'rouge-l';""" % nseed)
        ok = db.execute("""SELECT count(*) FROM (SELECT id, row_number() OVER (ORDER BY id) + %d AS pid FROM si_candidate WHERE reason IS NULL) AS k
                           JOIN si_pool AS p ON p.id = k.pid AND p.source = 'machine'""" % nseed).fetchone()[0]
        kept = sum(1 for c in r["cand"] if c[2] is None)
        if ok != kept:
            out("   WARNING: %s: the pool's machine ids are not the kept candidates in order (%d of %d)" % (name, ok, kept))
        if pre == 0:
            calls = db.execute("SELECT sum(lim) FROM b_lim").fetchone()[0]
        else:
            with Timer() as t:
                calls = db.execute("""
                  SELECT sum(n) FROM (
                    SELECT (SELECT count(DISTINCT s.id)
                              FROM lsh_bands(minhash(c.instruction, 'ngram=1 num_perm=%d'), %d, %d) AS q
                              JOIN si_band AS s ON s.band = q.band AND s.bucket = q.bucket
                             WHERE s.id <= l.lim) AS n
                      FROM si_candidate AS c JOIN b_lim AS l ON l.cid = c.id)""" % (np_, b, rw)).fetchone()[0]
        r["calls"] = calls
        db.close()

    # -- recall over decisions ---------------------------------------------
    out("")
    out("== the ROUGE-L step (step 4 of part 2): time, comparisons, and recall over decisions against the exhaustive run")
    out("   %-20s %9s %9s %13s %11s %7s %7s %8s %9s %9s %8s" % (
        "run", "wall s", "CPU s", "rouge_l calls", "calls/s", "kept", "drops", "recall", "ex. only", "pre only", "pool diff"))
    ex = results.get("exhaustive")
    ex_drop = set(c[0] for c in ex["cand"] if c[2] == "rouge-l") if ex else set()
    ex_pool = set(p[1] for p in ex["pool"] if p[2] == "machine") if ex else set()
    for name, pre, s in runs:
        r = results[name]
        t4 = r["times"][2]
        drops = set(c[0] for c in r["cand"] if c[2] == "rouge-l")
        kept = sum(1 for c in r["cand"] if c[2] is None)
        if ex and pre:
            pool = set(p[1] for p in r["pool"] if p[2] == "machine")
            rec = "%.4f" % (len(drops & ex_drop) / len(ex_drop)) if ex_drop else "-"
            exo, pro = len(ex_drop - drops), len(drops - ex_drop)
            pdiff = "%d/%d" % (len(ex_pool - pool), len(pool - ex_pool))
        else:
            rec, exo, pro, pdiff = "-", "-", "-", "-"
        out("   %-20s %9.2f %9.2f %13d %11.0f %7d %7d %8s %9s %9s %8s" % (
            name, t4[1], t4[2], r["calls"], r["calls"] / t4[1], kept, len(drops), rec, exo, pro, pdiff))
    out("   recall: the share of the exhaustive run's ROUGE-L drops that the run drops too; ex. only / pre only:")
    out("   candidates dropped by the exhaustive run only / by the prefilter run only; pool diff: instructions")
    out("   in the exhaustive run's final pool only / in the prefilter run's only.  rouge_l calls: pairs compared")
    out("   (for a prefilter run, the pool instructions of the time sharing a bucket, counted afterwards).")
    if ex:
        fw, fc = ex["times"][2][1], ex["times"][2][2]
        if a.n < 50000:
            f = (50000.0 / a.n) ** 2
            out("   EXTRAPOLATED, not measured: the exhaustive step 4 at n = 50,000, calls x (50000/n)^2 = %.3g at this run's %.0f calls/s: %.0f s (%.1f min)" % (
                ex["calls"] * f, ex["calls"] / fw, fw * f, fw * f / 60))
        for name, pre, s in runs:
            if pre:
                out("   speed-up of step 4, %s: %.1fx wall, %.1fx CPU; part 2 in all: %.2f s vs %.2f s" % (
                    name, fw / results[name]["times"][2][1], fc / max(1e-9, results[name]["times"][2][2]),
                    sum(x[1] for x in results[name]["times"]), sum(x[1] for x in ex["times"])))

    # -- recall over pairs ---------------------------------------------------
    pref = ex if ex else first
    db = connect(lib, pref["path"])
    thr = db.execute("SELECT rouge_threshold FROM si_settings").fetchone()[0]
    srng = random.Random(a.seed + 1)
    pool_ids = [p[0] for p in pref["pool"] if p[2] == "machine"]
    kept_c = [c[0] for c in pref["cand"] if c[2] is None]
    self_pid = dict(zip(kept_c, pool_ids))
    reach_ids = [c[0] for c in pref["cand"] if c[2] in (None, "rouge-l")]
    sample = sorted(srng.sample(reach_ids, min(a.sample, len(reach_ids))))
    db.execute("CREATE TEMP TABLE b_sample(cid INTEGER PRIMARY KEY, instruction TEXT, self_pid INTEGER)")
    db.executemany("INSERT INTO b_sample SELECT id, instruction, ? FROM si_candidate WHERE id = ?",
                   [(self_pid.get(c), c) for c in sample])
    npool = len(pref["pool"])
    with Timer() as tr:
        db.execute("""CREATE TEMP TABLE b_pair AS
            SELECT s.cid AS cid, p.id AS pid, rouge_l(p.instruction, s.instruction) AS score
              FROM b_sample AS s, si_pool AS p
             WHERE p.id IS NOT s.self_pid AND rouge_l(p.instruction, s.instruction) >= ?""", (thr,))
    with Timer() as tl:
        db.execute("""SELECT count(*) FROM b_sample AS s, si_pool AS p
                       WHERE p.id IS NOT s.self_pid AND length(p.instruction) + length(s.instruction) < 0""").fetchone()
    npairs_all = db.execute("SELECT count(*) FROM b_sample AS s, si_pool AS p WHERE p.id IS NOT s.self_pid").fetchone()[0]
    npairs, ncands = db.execute("SELECT count(*), count(DISTINCT cid) FROM b_pair").fetchone()
    out("")
    out("== recall over pairs: %d candidates drawn among the %d that reach step 4, against the %s run's final pool (%d instructions)" % (
        len(sample), len(reach_ids), "exhaustive" if ex else runs[0][0], npool))
    out("   %d pairs compared in %.2f s wall, %.2f s CPU (%.0f rouge_l/s); baseline, the same pairs read with length(): %.2f s (%.0f pairs/s)" % (
        npairs_all, tr.wall, tr.cpu, npairs_all / tr.wall, tl.wall, npairs_all / tl.wall))
    out("   pairs at rouge_l >= %g: %d, of %d of the candidates" % (thr, npairs, ncands))
    bins = [(thr, 0.8), (0.8, 0.9), (0.9, 1.0), (1.0, 1.1)]
    out("   %-12s %8s %8s | %s" % ("lsh", "P(J=.5)", "recall", " ".join("%-17s" % ("[%.1f,%.1f)" % b if b[0] < 1 else "1.0") for b in bins)))
    out("   %-12s %8s %8s | %s" % ("", "", "", " ".join("%-17s" % ("%d pairs" % db.execute(
        "SELECT count(*) FROM b_pair WHERE score >= ? AND score < ?", bb).fetchone()[0]) for bb in bins)))
    for np_, b, rw in lsh + pairs_lsh:
        db.execute("DROP TABLE IF EXISTS temp.b_share")
        db.execute("""CREATE TEMP TABLE b_share AS
            SELECT x.cid, x.pid, x.score, EXISTS (
                SELECT 1 FROM lsh_bands(minhash(s.instruction, 'ngram=1 num_perm=%d'), %d, %d) AS q
                  JOIN lsh_bands(minhash(p.instruction, 'ngram=1 num_perm=%d'), %d, %d) AS y
                    ON y.band = q.band AND y.bucket = q.bucket) AS shared
              FROM b_pair AS x JOIN b_sample AS s ON s.cid = x.cid JOIN si_pool AS p ON p.id = x.pid""" % (np_, b, rw, np_, b, rw))
        tot, sh = db.execute("SELECT count(*), coalesce(sum(shared), 0) FROM b_share").fetchone()
        cells = []
        for bb in bins:
            t_, s_ = db.execute("SELECT count(*), coalesce(sum(shared), 0) FROM b_share WHERE score >= ? AND score < ?", bb).fetchone()
            cells.append("%-17s" % (("%.4f" % (s_ / t_)) if t_ else "-"))
        p5 = 1 - (1 - 0.5 ** rw) ** b
        out("   %-12s %8.4f %8s | %s" % ("%d:%d:%d%s" % (np_, b, rw, "" if (np_, b, rw) in lsh else "*"), p5, ("%.4f" % (sh / tot)) if tot else "-", " ".join(cells)))
        if (np_, b, rw) == lsh[0]:
            missed = db.execute("""SELECT x.score, s.instruction, p.instruction FROM b_share AS x
                JOIN b_sample AS s ON s.cid = x.cid JOIN si_pool AS p ON p.id = x.pid
               WHERE NOT x.shared ORDER BY x.score DESC LIMIT 3""").fetchall()
            for sc, ci, pi in missed:
                out("     missed at %s: %.3f %r ~ %r" % ("%d:%d:%d" % (np_, b, rw), sc, ci[:90], pi[:90]))
    db.close()
    out("   recall: the share of the pairs at rouge_l >= %g whose texts share an LSH bucket (minhash(text, 'ngram=1" % thr)
    out("   num_perm=P') and lsh_bands(sig, B, R), for P:B:R); P(J=.5): the chance that a pair at word Jaccard 0.5 does.")
    out("   *: pair recall only (no run of part 2 at that setting).")

    out("")
    out("library file %s during the run; finished %s UTC" % (
        "unchanged" if lib_stamp() == stamp else "CHANGED (now %s)" % lib_stamp(),
        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M:%S")))
    if not a.keep:
        for r in results.values():
            remove_db(r["path"])
        remove_db(base)


if __name__ == "__main__":
    main()
