"""The `article` suite: hand-written tasks about the Chinese LLM start-ups of the seed article.

Source: Sohu Tech, "DeepSeek-R2發佈前,熱鍋上的“四小虎”" (2025), in shared/seed/, plus a
few published figures from shared/PUBLISHED_NUMBERS.md (Kimi-Researcher's 8.6% starting
score) and well-known founding years. Pages are in Chinese (Traditional characters, as in
the article) and English; questions in both. Why hand-written: these tasks carry real
names a model may half-remember, so they measure whether an architecture still cites the
corpus when memory offers an answer, which the synthetic world cannot test.

Trigram search matches only terms of three or more characters, so every subject and
relation below has at least one such term ("智譜AI", not "智譜"; "總部所在地", not "總部"),
and each gold page repeats its relation words verbatim.
"""

from __future__ import annotations

import random

from harness.task import Chain, Decoy, Document, Hop, Solution, Task, TaskSuite
from tasks.article_data import BACKGROUND, PAGES, TASKS, ChainSpec, TaskSpec

MIN_WORDS = 130  # English pages are padded with background up to this many words
MIN_CHARS = 220  # Chinese pages, up to this many characters


def _padded(text: str, lang: str, offset: int) -> str:
    """`text` plus background sentences (cycled from `offset`) up to the minimum length:
    realistic page lengths, and shared words, so search has to rank."""
    sentences = BACKGROUND[lang]
    parts = [text]
    i = offset
    while (
        (len(" ".join(parts).split()) < MIN_WORDS)
        if lang == "en"
        else (len("".join(parts)) < MIN_CHARS)
    ):
        parts.append(sentences[i % len(sentences)])
        i += 1
    return (" " if lang == "en" else "").join(parts)


def _doc_ids() -> dict[str, str]:
    """Neutral ids ("art-3f2a") in a seeded random order: ids reveal nothing."""
    rng = random.Random("article")
    ids: dict[str, str] = {}
    used: set[str] = set()
    for key in PAGES:
        while (doc_id := f"art-{rng.getrandbits(16):04x}") in used:
            pass
        used.add(doc_id)
        ids[key] = doc_id
    return ids


def _chain(spec: ChainSpec, ids: dict[str, str], question: str) -> Chain:
    hops = [Hop(subject=s, relation=r, doc_id=ids[d], value=v) for s, r, d, v in spec.hops]
    rename = None
    if spec.rename is not None:
        s, r, d, v = spec.rename
        rename = Hop(subject=s, relation=r, doc_id=ids[d], value=v)
    decoys = [Decoy(hop=hop, doc_id=ids[d], value=v, kind=kind) for hop, d, v, kind in spec.decoys]
    entry = spec.entry or hops[0].subject
    return Chain(
        label=spec.label or entry,
        question=spec.question or question,
        entry=entry,
        hops=hops,
        rename=rename,
        decoys=decoys,
        guesses=list(spec.guesses),
    )


def _task(spec: TaskSpec, ids: dict[str, str], number: int) -> Task:
    chains = [_chain(c, ids, spec.question) for c in spec.chains]
    if spec.combine == "last":
        answer = chains[0].hops[-1].value
    else:
        pick = max if spec.combine == "argmax" else min
        answer = pick(chains, key=lambda c: int(c.hops[-1].value)).label
    return Task(
        id=f"article-{spec.family}-{number:02d}",
        family=spec.family,
        question=spec.question,
        answer=answer,
        aliases=list(spec.aliases),
        support_docs=list(dict.fromkeys(c.hops[-1].doc_id for c in chains)),
        solution=Solution(chains=chains, combine=spec.combine),
        lang=spec.lang,
    )


def article_suite() -> TaskSuite:
    """The `article` suite, built from the data in article_data.py."""
    ids = _doc_ids()
    documents = [
        Document(
            id=ids[key],
            title=page.title,
            text=_padded(page.text, page.lang, offset),
            date=page.date,
            lang=page.lang,
        )
        for offset, (key, page) in enumerate(PAGES.items())
    ]
    numbers: dict[str, int] = {}
    tasks = []
    for spec in TASKS:
        numbers[spec.family] = numbers.get(spec.family, 0) + 1
        tasks.append(_task(spec, ids, numbers[spec.family]))
    return TaskSuite(
        name="article",
        description=(
            "Bilingual (Chinese/English) research tasks about MiniMax, Moonshot AI (月之暗面), "
            "Zhipu, StepFun, Manus and Kling, from a 2025 Sohu Tech article on China's "
            "'four tigers' of large models."
        ),
        documents=sorted(documents, key=lambda d: d.id),
        tasks=tasks,
    )
