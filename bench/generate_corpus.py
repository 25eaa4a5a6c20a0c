"""Synthetic Danish interview transcripts for benchmarks.

Sentences are assembled from phrase lists written for this project, so the text has realistic
Danish word lengths, letters (æ, ø, å), punctuation and speaker turns, but no meaning. Output is
deterministic for a given seed.

Usage: python bench/generate_corpus.py OUT_DIR --files 400 --words 2500 [--seed 1]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

SUBJECTS = [
    "kommunen", "regionen", "hospitalet", "de praktiserende læger", "borgerne", "vi",
    "sygeplejerskerne", "hjemmeplejen", "ledelsen", "styregruppen", "leverandøren",
    "de pårørende", "praksiskonsulenten", "sundhedschefen", "akutteamet", "projektet",
    "Herning Kommune", "Region Midtjylland", "Hospitalsenheden Vest", "politikerne",
]
VERBS = [
    "har fået", "mangler", "diskuterer", "taler om", "arbejder med", "skal finde", "oplever",
    "er uenige om", "stoler på", "frygter", "ønsker", "prøver at forstå", "har brug for",
    "kæmper om", "bygger", "tager ansvar for", "er bekymrede for", "glæder sig over",
]
OBJECTS = [
    "tillid til hinanden", "en fælles vision", "økonomien", "udskrivningssamtalen",
    "genindlæggelserne", "datadelingen", "den nye aftale", "patienternes tryghed",
    "risikoen ved løsningen", "konflikten om opgaverne", "ressourcerne", "samarbejdet",
    "de ældre medicinske patienter", "tabletterne", "visitationen", "ventelisterne",
    "prøvehandlingen", "handleplanen", "sundhedsområdet", "de strategiske mål",
]
TAILS = [
    "", "", "", " i det daglige", " på tværs af sektorerne", " hen over sommeren",
    " efter mødet i følgegruppen", " når det gælder de svageste borgere", " i første cyklus",
    " fordi økonomien er presset", " og det tager tid", " uden at nogen har overblikket",
]
FILLERS = ["altså", "jo", "ikke", "sådan set", "egentlig", "faktisk", "måske", "øh"]
QUESTIONS = [
    "Hvordan oplever du samarbejdet med {s}?", "Kan du fortælle lidt mere om det?",
    "Hvad betyder det for {s}?", "Hvor ser du den største risiko?",
    "Hvad skete der så i styregruppen?", "Hvordan har prøvehandlingen virket?",
]


def sentence(rng: random.Random) -> str:
    """One declarative sentence, sometimes with a filler word."""
    words = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}"
    if rng.random() < 0.3:
        words = f"{rng.choice(FILLERS)}, {words}"
    return words[0].upper() + words[1:] + rng.choice([".", ".", ".", "!", "?"])


def transcript(rng: random.Random, words: int, index: int) -> str:
    """A transcript of about ``words`` words with I:/R: turns and a header."""
    lines = [f"Interview {index:04d} – syntetisk transskription", ""]
    count = 0
    while count < words:
        question = rng.choice(QUESTIONS).format(s=rng.choice(SUBJECTS))
        answer = " ".join(sentence(rng) for _ in range(rng.randint(2, 7)))
        lines += [f"I: {question}", "", f"R: {answer}", ""]
        count += len(question.split()) + len(answer.split()) + 2
    return "\n".join(lines)


def generate(out: Path, files: int, words: int, seed: int = 1) -> int:
    """Write ``files`` transcripts into ``out``; return the total number of words."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for i in range(files):
        text = transcript(rng, words, i)
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
