"""Synthetic Danish interview transcripts for benchmarks.

Words are drawn from the Danish word forms in spacy-lookups-data with a Zipf-like
distribution, mixed with the frequent function words and words of the field, so the text has a
realistic vocabulary size, word lengths, letters (æ, ø, å), punctuation and speaker turns, but
no meaning. Output is deterministic for a given seed.

Usage: python bench/generate_corpus.py OUT_DIR --files 400 --words 2500 [--seed 1]
"""

from __future__ import annotations

import argparse
import itertools
import random
from pathlib import Path

# The most frequent Danish words, which make up close to half of running speech.
FUNCTION_WORDS = """
og i at det er en til på som de med den for af ikke der var har jeg vi du han hun man
sig så men om et efter ved kan skal vil også når fra hvor meget mere bliver blive være
have nu jo lige altså sådan bare godt helt rigtig faktisk egentlig måske nok jeg jo
hvad hvordan hvorfor hvem noget nogen alle andre mange lidt over under mod hos uden
""".split()
# Words of the field, so the text reads like the genre.
DOMAIN_WORDS = """
kommunen regionen hospitalet borgerne patienterne pårørende lægerne samarbejdet tillid
konflikt konflikten risiko risikoen vision visionen økonomien styregruppen følgegruppen
prøvehandlingen udskrivningssamtalen sundhedsområdet praksiskonsulenten sundhedschefen
hjemmeplejen akutteamet genindlæggelser datadeling tabletterne visitationen ventelisterne
partnerskabet aktionsforskning cyklus refleksion medlemstjek handleplan tværsektorielt
""".split()
NAMES = ["Herning Kommune", "Region Midtjylland", "Hospitalsenheden Vest", "KL", "PLO",
         "Danske Regioner", "Frederiksberg Kommune", "Sundhedsstyrelsen", "CareLink ApS"]
QUESTIONS = [
    "Hvordan oplever du samarbejdet med {s}?", "Kan du fortælle lidt mere om det?",
    "Hvad betyder det for {s}?", "Hvor ser du den største risiko?",
    "Hvad skete der så i styregruppen?", "Hvordan har prøvehandlingen virket?",
]


class Vocabulary:
    """Word forms drawn with a Zipf-like distribution, as in real text."""

    def __init__(self, rng: random.Random, size: int = 40_000):
        import gzip
        import json
        from importlib import resources

        path = resources.files("spacy_lookups_data") / "data" / "da_lemma_lookup.json.gz"
        with path.open("rb") as raw, gzip.open(raw) as handle:
            forms = sorted(k for k in json.load(handle) if k.isalpha() and k.islower())
        rng.shuffle(forms)
        self.words = DOMAIN_WORDS + forms[:size]
        weights = (1.0 / (rank + 10) for rank in range(len(self.words)))
        self.cum_weights = list(itertools.accumulate(weights))
        self.rng = rng

    def content(self, n: int) -> list[str]:
        """``n`` content words."""
        return self.rng.choices(self.words, cum_weights=self.cum_weights, k=n)


def sentence(rng: random.Random, vocab: Vocabulary) -> str:
    """One sentence: function and content words, commas, now and then a name or a number."""
    length = rng.randint(5, 22)
    content = iter(vocab.content(length))
    words = [rng.choice(FUNCTION_WORDS) if rng.random() < 0.45 else next(content)
             for _ in range(length)]
    if rng.random() < 0.15:
        words.insert(rng.randrange(len(words)), rng.choice(NAMES))
    if rng.random() < 0.08:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 2025)))
    if length > 10 and rng.random() < 0.5:
        cut = rng.randrange(3, length - 3)
        words[cut] += ","
    if rng.random() < 0.05:
        words[0] = "”" + words[0]
        words[-1] += "”"
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", ".", "?", "!"])


def transcript(rng: random.Random, words: int, index: int,
               vocab: Vocabulary | None = None) -> str:
    """A transcript of about ``words`` words with I:/R: turns and a header."""
    vocab = vocab or Vocabulary(rng)
    lines = [f"Interview {index:04d} – syntetisk transskription", ""]
    count = 0
    while count < words:
        question = rng.choice(QUESTIONS).format(s=rng.choice(NAMES))
        answer = " ".join(sentence(rng, vocab) for _ in range(rng.randint(2, 8)))
        lines += [f"I: {question}", "", f"R: {answer}", ""]
        count += len(question.split()) + len(answer.split()) + 2
    return "\n".join(lines)


def generate(out: Path, files: int, words: int, seed: int = 1) -> int:
    """Write ``files`` transcripts into ``out``; return the total number of words."""
    rng = random.Random(seed)
    vocab = Vocabulary(rng)
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(files):
        text = transcript(rng, words, i, vocab)
        total += len(text.split())
        (out / f"syntetisk_{i:04d}.txt").write_text(text, encoding="utf-8")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--words", type=int, default=2500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    total = generate(args.out, args.files, args.words, args.seed)
    print(f"Wrote {args.files} transcripts, {total} words, to {args.out}")


if __name__ == "__main__":
    main()
