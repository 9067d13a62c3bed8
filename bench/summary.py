"""Summary benchmark: the offline summarizer on a 90-minute synthetic lecture.

    .venv/bin/python bench/summary.py [--minutes 90] [--runs 3] [--seed 5]

The transcript is generated, deterministic for a seed: a lecturer speaks in ~8-second segments
through nine ten-minute sections, each announced ("Next, let's talk about …") and built from its
own terms; every six minutes or so a student asks a question, which the lecturer answers two times
in three; four pieces of work are set with deadlines. Measured in this process, no database: the
offline summarizer (`summaries.local.summarize`) from the segments to the validated
summary, median and max of `--runs`; plus what the summary found against what was planted, and
how many requests the LLM path would make (map-reduce parts + 1). Target (issue 5): ≤ 30 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

SECTIONS = [
    ("hash tables", ["hash function", "load factor", "open addressing", "separate chaining", "collision"]),
    ("binary search trees", ["tree rotation", "balance factor", "inorder traversal", "subtree", "leaf node"]),
    ("graph algorithms", ["adjacency list", "breadth first search", "shortest path", "edge weight", "spanning tree"]),
    ("dynamic programming", ["optimal substructure", "memoization table", "recurrence relation", "base case"]),
    ("sorting networks", ["comparator", "merge step", "bitonic sequence", "network depth"]),
    ("heaps", ["priority queue", "sift down", "heap property", "binary heap"]),
    ("string matching", ["prefix function", "rolling hash", "pattern length", "suffix array"]),
    ("amortised analysis", ["potential function", "dynamic array", "aggregate method", "accounting method"]),
    ("randomised algorithms", ["expected running time", "random pivot", "hash family", "probability bound"]),
]
FILLER = [
    "Let me write that on the board so everyone can see it.",
    "This is the part most people find tricky at first.",
    "Keep this picture in mind for the rest of today.",
    "We will come back to this idea in a moment.",
    "Notice how the cost depends on the size of the input.",
]
TEMPLATES = [
    "The {a} tells us how the {b} behaves when the input grows.",
    "If we look at the {a} carefully, the {b} follows almost directly.",
    "A {a} is usually implemented on top of a {b}, which keeps the code short.",
    "In the worst case the {a} can be expensive, but the {b} saves us most of the time.",
    "Remember that the {a} and the {b} are not the same thing, even though they look alike.",
    "So the {a} gives us a bound, and the {b} gives us a way to reach it.",
]
QUESTIONS = [
    "Sorry, could you explain why the {a} matters for the {b}?",
    "Is the {a} always better than the {b}?",
    "How do we choose the {a} in practice?",
    "Will the {a} be on the midterm?",
]
WORK = [
    "Please read chapter {n} on {topic} before Friday.",
    "The problem set on {topic} is due next Monday at noon.",
    "Implement a small {term} in the lab this Thursday.",
    "For next week, write a one page summary of {topic}.",
]


def synthetic_lecture(minutes: int, seed: int):  # -> tuple[list[Utterance], dict[str, int]]
    from summaries.local import Utterance

    rng = random.Random(seed)
    utterances: list[Utterance] = []
    clock = 0.0
    planted: dict[str, Any] = {"questions": 0, "answered": 0, "work": 0, "flags": []}
    section_seconds = minutes * 60 / len(SECTIONS)
    next_question = rng.uniform(240, 420)
    work_at = sorted(rng.uniform(0, minutes * 60) for _ in WORK)

    def say(speaker: str, identity: str, host: bool, text: str) -> None:
        nonlocal clock
        duration = max(2.0, len(text.split()) / 2.6)
        utterances.append(Utterance(speaker, identity, host, round(clock, 2), round(clock + duration, 2), text))
        clock += duration + rng.uniform(0.3, 1.2)

    for index, (topic, terms) in enumerate(SECTIONS):
        end = (index + 1) * section_seconds
        say("Ada Prof", "host-prof", True, f"Next, let's talk about {topic}. It builds on what we saw before.")
        while clock < end:
            a, b = rng.sample(terms, 2)
            sentences = [rng.choice(TEMPLATES).format(a=a, b=b) for _ in range(2)]
            if rng.random() < 0.3:
                sentences.append(rng.choice(FILLER))
            if work_at and clock >= work_at[0]:
                work_at.pop(0)
                template = WORK[planted["work"] % len(WORK)]
                sentences.append(template.format(n=index + 3, topic=topic, term=terms[0]))
                planted["work"] += 1
            say("Ada Prof", "host-prof", True, " ".join(sentences))
            if clock >= next_question:
                next_question = clock + rng.uniform(240, 420)
                student = rng.randrange(6)
                question = rng.choice(QUESTIONS).format(a=a, b=b)
                say(f"Student {student}", f"guest-{student}", False, question)
                planted["questions"] += 1
                answer = rng.random() < 2 / 3
                planted["flags"].append(answer)
                if answer:
                    planted["answered"] += 1
                    say("Ada Prof", "host-prof", True, f"Good question. The {a} matters because the {b} depends on it.")
    return utterances, planted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=int, default=90)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from summaries.llm import chunks, transcript_lines
    from summaries.local import summarize
    from summaries.schema import Summary

    utterances, planted = synthetic_lecture(args.minutes, args.seed)
    words = sum(len(u.text.split()) for u in utterances)
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print(
        f"synthetic lecture: {utterances[-1].end / 60:.1f} min, {len(utterances)} segments, {words} words; planted "
        f"{len(SECTIONS)} sections, {planted['questions']} questions ({planted['answered']} answered), "
        f"{planted['work']} pieces of work"
    )
    timings = []
    summary = None
    for _ in range(args.runs):
        started = time.perf_counter()
        summary = Summary.model_validate(summarize(utterances).model_dump())
        timings.append(time.perf_counter() - started)
    assert summary is not None
    answered = sum(q.answered for q in summary.questions)
    with_deadline = sum(bool(a.deadline) for a in summary.action_items)
    print(f"offline summary: median {statistics.median(timings):.2f} s, max {max(timings):.2f} s over {args.runs} runs")
    print(
        f"found: {len(summary.topics)} topics, {len(summary.key_terms)} key terms, {len(summary.action_items)} "
        f"action items ({with_deadline} with a deadline), {len(summary.questions)} questions ({answered} answered)"
    )
    flags = [q.answered for q in summary.questions]
    if len(flags) == len(planted["flags"]):
        right = sum(found == truth for found, truth in zip(flags, planted["flags"], strict=True))
        print(f"questions flagged as planted: {right} of {len(flags)}")
    print(f"topics: {', '.join(p.text for p in summary.topics)}")
    print(f"key terms: {', '.join(t.term for t in summary.key_terms)}")
    print(f"overview: {summary.overview}")
    print(f"LLM path: {len(chunks(transcript_lines(utterances)))} parts + 1 merge request")
    return 0 if max(timings) <= 30 else 1


if __name__ == "__main__":
    sys.exit(main())
