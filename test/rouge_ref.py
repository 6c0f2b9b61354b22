"""A plain reading of Google's rouge-score package (PyPI rouge-score 0.1.2,
https://github.com/google-research/google-research/tree/master/rouge) for
its default settings: RougeScorer(types) with use_stemmer=False and no
tokenizer given, i.e. DefaultTokenizer without a stemmer, and
score(target, prediction)['rougeL'] and ['rougeN'] (rouge1 ... rouge9).
The package is not installed here (no network for pip); this is the
reference test/rouge01.test checks rouge_l() and rouge_n() against.

Followed, line by line, in these versions of google-research/google-research:

  rouge/rouge_scorer.py  61ce9f0ca76025dac5b671c0631e443a9975a8a3
                         (RougeScorer with split_summaries and tokenizer=,
                         as released in 0.1.x: score, _create_ngrams,
                         _score_lcs, _lcs_table, _score_ngrams)
  rouge/tokenizers.py    30adf0ec5f35f9609c2f1d896005e184195d9146
                         (DefaultTokenizer.tokenize -> tokenize.tokenize)
  rouge/tokenize.py      0c1bbe5fc971a1de1a427debc814e66ab4f1e7fa and
                         7ce52c05d1ef3f54233faf14772609f45994a7ae (the
                         same three regular expressions; 0.1.2 compiles
                         them once as NON_ALPHANUM_RE, SPACES_RE,
                         VALID_TOKEN_RE, which changes nothing)
  rouge/scoring.py       10bf941a5a0625bf27bb8443aa849e9b48fdd5f9 and
                         0b7b841b4d58aac0854fd6daa3f80ea2724d14b3
                         (fmeasure: the same in both)

Every float is made by the same operations in the same order as there:
precision = lcs / len(prediction), recall = lcs / len(target) (Python's
int / int, the correctly rounded quotient), fmeasure = 2 * p * r / (p + r)
evaluated left to right, ((2 * p) * r) / (p + r).  Where the package
returns the int 0 (_score_lcs with an empty side) this returns 0 too.

What the default tokenizer does, and what follows from it:
  - text.lower() is Python's full Unicode lower-casing (Unicode 14.0 in
    Python 3.11), before anything is dropped.  Exactly two non-ASCII code
    points lower-case to ASCII letters: U+0130 LATIN CAPITAL LETTER I WITH
    DOT ABOVE becomes "i" + U+0307 (so "İstanbul" gives the tokens "i" and
    "stanbul"), and U+212A KELVIN SIGN becomes "k" (so "\u212aey" gives
    "key").  Every other non-ASCII character, accented letters and
    non-ASCII digits included, is a separator: "café" gives "caf".
  - re.sub(r"[^a-z0-9]+", " ", text): everything but ASCII a-z and 0-9 is a
    separator (underscore, apostrophe and hyphen too: "don't" -> "don", "t").
  - re.split(r"\\s+", text) then the tokens matching ^[a-z0-9]+$: after the
    substitution that only drops the empty strings at either end.
  - No stop words, no stemming, no NFKC: fullwidth "Ａ" is a separator.

    python3 rouge_ref.py TARGET PREDICTION      prints the scores
    python3 rouge_ref.py --selftest             the package's own unit-test
                                                expectations
"""
import collections
import re
import sys

NON_ALPHANUM_RE = re.compile(r"[^a-z0-9]+")
SPACES_RE = re.compile(r"\s+")
VALID_TOKEN_RE = re.compile(r"^[a-z0-9]+$")


def tokenize(text):
    """tokenize.tokenize(text, stemmer=None)."""
    # Convert everything to lowercase.
    text = text.lower()
    # Replace any non-alpha-numeric characters with spaces.
    text = NON_ALPHANUM_RE.sub(" ", text)
    tokens = SPACES_RE.split(text)
    # (no stemmer)
    # One final check to drop any empty or invalid tokens.
    tokens = [x for x in tokens if VALID_TOKEN_RE.match(x)]
    return tokens


def fmeasure(precision, recall):
    """scoring.fmeasure."""
    if precision + recall > 0:
        return 2 * precision * recall / (precision + recall)
    else:
        return 0.0


Score = collections.namedtuple("Score", ["precision", "recall", "fmeasure"])


def create_ngrams(tokens, n):
    """rouge_scorer._create_ngrams."""
    ngrams = collections.Counter()
    for ngram in (tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)):
        ngrams[ngram] += 1
    return ngrams


def lcs_table(ref, can):
    """rouge_scorer._lcs_table."""
    rows = len(ref)
    cols = len(can)
    table = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            if ref[i - 1] == can[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table


def score_lcs(target_tokens, prediction_tokens):
    """rouge_scorer._score_lcs."""
    if not target_tokens or not prediction_tokens:
        return Score(precision=0, recall=0, fmeasure=0)
    lcs_length = lcs_table(target_tokens, prediction_tokens)[-1][-1]
    precision = lcs_length / len(prediction_tokens)
    recall = lcs_length / len(target_tokens)
    return Score(precision=precision, recall=recall,
                 fmeasure=fmeasure(precision, recall))


def score_ngrams(target_ngrams, prediction_ngrams):
    """rouge_scorer._score_ngrams."""
    intersection_ngrams_count = 0
    for ngram in target_ngrams:
        intersection_ngrams_count += min(target_ngrams[ngram],
                                         prediction_ngrams[ngram])
    target_ngrams_count = sum(target_ngrams.values())
    prediction_ngrams_count = sum(prediction_ngrams.values())
    precision = intersection_ngrams_count / max(prediction_ngrams_count, 1)
    recall = intersection_ngrams_count / max(target_ngrams_count, 1)
    return Score(precision=precision, recall=recall,
                 fmeasure=fmeasure(precision, recall))


def score(target, prediction, rouge_types=("rouge1", "rouge2", "rougeL")):
    """RougeScorer(rouge_types).score(target, prediction), without
    rougeLsum.  Like the package, rougeN takes n in 1..9 only."""
    target_tokens = tokenize(target)
    prediction_tokens = tokenize(prediction)
    result = {}
    for rouge_type in rouge_types:
        if rouge_type == "rougeL":
            scores = score_lcs(target_tokens, prediction_tokens)
        elif re.match(r"rouge[0-9]$", rouge_type):
            n = int(rouge_type[5:])
            if n <= 0:
                raise ValueError("rougen requires positive n: %s" % rouge_type)
            scores = score_ngrams(create_ngrams(target_tokens, n),
                                  create_ngrams(prediction_tokens, n))
        else:
            raise ValueError("Invalid rouge type: %s" % rouge_type)
        result[rouge_type] = scores
    return result


def rouge_n(target, prediction, n):
    """The scores of rouge_n(target, prediction, n): any n >= 1 (the
    package's rouge type names stop at 9; _create_ngrams does not)."""
    return score_ngrams(create_ngrams(tokenize(target), n),
                        create_ngrams(tokenize(prediction), n))


def rouge_l(target, prediction):
    return score_lcs(tokenize(target), tokenize(prediction))


def selftest():
    """The expectations of the package's own tests (rouge_scorer_test.py,
    tokenize_test.py; assertAlmostEqual to 7 places) and of its docstring
    example, checked here exactly where they are exact."""
    assert tokenize("one Two three") == ["one", "two", "three"]
    assert tokenize("one\n Two \nthree") == ["one", "two", "three"]
    s = score("testing one two", "testing", ["rouge1"])["rouge1"]
    assert s == (1.0, 1 / 3, 0.5), s
    for t in ("rouge1", "rouge2", "rougeL"):
        assert score("testing one two", "", [t])[t] == (0, 0, 0)
    s = score("testing one two", "testing one", ["rouge2"])["rouge2"]
    assert s.precision == 1 and s.recall == 0.5 and abs(s.fmeasure - 2 / 3) < 1e-15, s
    for pred in ("testing one", "testing two"):
        s = score("testing one two", pred, ["rougeL"])["rougeL"]
        assert s.precision == 1 and s.recall == 2 / 3 and abs(s.fmeasure - 0.8) < 1e-15, s
    assert lcs_table([1, 2, 3, 4, 5], [2, 5, 3, 4])[-1][-1] == 3
    assert lcs_table([1, 2, 3, 4, 5], [8, 9])[-1][-1] == 0
    with_errors = 0
    for bad in ("rougen", "rouge0", "rouge10"):
        try:
            score("testing one two", "testing", [bad])
        except ValueError:
            with_errors += 1
    assert with_errors == 3
    # the Unicode cases that reach ASCII after lower()
    assert tokenize("\u0130stanbul") == ["i", "stanbul"]
    assert tokenize("\u212aelvin") == ["kelvin"]
    assert tokenize("Caf\u00e9 na\u00efve \uff21BC x_y don't") == \
        ["caf", "na", "ve", "bc", "x", "y", "don", "t"]
    print("rouge_ref selftest: ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--selftest"]:
        selftest()
    elif len(sys.argv) == 3:
        t, p = sys.argv[1], sys.argv[2]
        print("target tokens:    ", tokenize(t))
        print("prediction tokens:", tokenize(p))
        for k in ("rougeL", "rouge1", "rouge2", "rouge3"):
            s = (rouge_l(t, p) if k == "rougeL" else rouge_n(t, p, int(k[5:])))
            print("%-7s precision=%r recall=%r fmeasure=%r" % (k, *s))
    else:
        sys.exit(__doc__)
