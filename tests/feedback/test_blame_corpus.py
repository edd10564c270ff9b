"""The detector measured on a labelled corpus of notes and hypotheses as people write them.

A note counts for a kind when the detector flags that kind anywhere in it; precision and recall
are over (note, kind) pairs, per kind and overall. The report is printed (pytest -s shows it).
"""

from collections import Counter
from pathlib import Path

from feedback.blame import KINDS, NameIndex, detect

CORPUS = Path(__file__).with_name("blame_corpus.txt")
PEOPLE = [
    "Alice Moreno",
    "Bob Chen",
    "Fran Okafor",
    "Pat Lindqvist",
    "Sam Rivera",
    "Jordan Blake",
    "Will Turner",
    "Mark Hughes",
    "Grace Park",
]
OFFICES = ["Boston", "Hartford", "Providence"]


def corpus() -> list[tuple[set[str], str]]:
    notes = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        labels, text = line.split(" | ", 1)
        kinds = set() if labels.strip() == "-" else set(labels.strip().split(","))
        assert kinds <= set(KINDS), line
        notes.append((kinds, text))
    return notes


def firm() -> NameIndex:
    index = NameIndex()
    for number, name in enumerate(PEOPLE):
        first, last = name.split()
        index.add_person(number, name, name, first, last, first.lower())
    for number, office in enumerate(OFFICES, start=100):
        index.add(office, "team", number)
    return index


def score(notes, index) -> tuple[dict, list[str]]:
    counts = {kind: Counter() for kind in KINDS}
    misses = []
    for expected, text in notes:
        found = {flag.kind for flag in detect(text, names=index)}
        for kind in KINDS:
            hit = (kind in expected, kind in found)
            counts[kind][{(1, 1): "tp", (0, 1): "fp", (1, 0): "fn"}.get(hit, "tn")] += 1
        if found != expected:
            misses.append(f"  expected {sorted(expected)} found {sorted(found)}: {text}")
    return counts, misses


def ratios(counter: Counter) -> tuple[float, float]:
    precision = counter["tp"] / ((counter["tp"] + counter["fp"]) or 1)
    recall = counter["tp"] / ((counter["tp"] + counter["fn"]) or 1)
    return precision, recall


def test_the_corpus_is_big_and_balanced():
    notes = corpus()
    blame = sum(1 for kinds, _ in notes if kinds)
    assert len(notes) >= 300
    assert 0.4 <= blame / len(notes) <= 0.6
    assert all(any(kind in kinds for kinds, _ in notes) for kind in KINDS)


def test_the_detector_finds_blame_with_precision_and_recall_of_at_least_0_9():
    counts, misses = score(corpus(), firm())
    total = sum(counts.values(), Counter())
    lines = [f"{'kind':16} {'notes':>5} {'precision':>9} {'recall':>6}"]
    for kind, counter in [*counts.items(), ("overall", total)]:
        precision, recall = ratios(counter)
        lines.append(
            f"{kind:16} {counter['tp'] + counter['fn']:>5} {precision:>9.2f} {recall:>6.2f}"
        )
    report = "\n".join(lines + ["notes where the kinds differ:", *misses])
    print(report)
    precision, recall = ratios(total)
    assert precision >= 0.9 and recall >= 0.9, report
