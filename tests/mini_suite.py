"""A hand-written five-task suite, one task per family, small enough to read in full.

Tests use it to check mechanisms without depending on the generator's output.
"""

from __future__ import annotations

from harness.task import Chain, Decoy, Document, Hop, Solution, Task, TaskSuite

FILLER = (
    "The region is known for its rivers and old markets. Local newspapers cover trade, "
    "weather and sport. Visitors often mention the food and the long summer evenings."
)


def _doc(i: str, title: str, text: str, date: str = "2024-03-01") -> Document:
    return Document(id=i, title=title, text=f"{text} {FILLER}", date=date)


DOCS = [
    _doc(
        "d01",
        "Zentrix Corp",
        "Zentrix Corp is a drone maker headquartered in Lorvale. "
        "Its founder is Mara Quill. Zentrix Corp has a headcount of 5120 employees.",
    ),
    _doc(
        "d02",
        "Zentrix Group",
        "Zentrix Group is a shipping firm headquartered in Pellam. "
        "Its founder is Otto Brenn. Zentrix Group has a headcount of 880 employees.",
    ),
    _doc(
        "d03",
        "Vexa drone",
        "The Vexa drone is a product made by Zentrix Corp; the maker sells it worldwide.",
    ),
    _doc(
        "d04",
        "Mara Quill",
        "Mara Quill is an engineer. Her birthplace is Dunmore, where she studied physics.",
    ),
    _doc("d05", "Dunmore", "Dunmore is a city in the country of Arvenia, on the Sel river."),
    _doc(
        "d06",
        "Halvern Labs",
        "Halvern Labs is a research company. Halvern Labs has a "
        "headcount of 3400 employees. Its founder is Ines Varo.",
    ),
    _doc(
        "d07",
        "Corvel Systems",
        "Corvel Systems builds radios. Corvel Systems has a headcount "
        "of 1250 employees. Its founder is Tom Reyes.",
    ),
    _doc(
        "d08",
        "Nebula Works",
        "Nebula Works is a robotics company headquartered in Kestrel "
        "Bay. Its founder is Lena Ortiz.",
    ),
    _doc(
        "d09",
        "Orion Robotics (renamed)",
        "Orion Robotics was renamed Nebula Works in 2021 after a merger.",
    ),
    _doc(
        "d10",
        "Tarsk Mining",
        "Tarsk Mining is headquartered in Brevik. Its chief executive is Ada Moss.",
        date="2025-01-10",
    ),
    _doc(
        "d11",
        "Tarsk Mining (2019 profile)",
        "Tarsk Mining is headquartered in Brevik. Its chief executive is Karl Dent.",
        date="2019-05-02",
    ),
]


def mini_suite() -> TaskSuite:
    zentrix_hq = Hop(
        subject="Zentrix Corp", relation="headquartered", doc_id="d01", value="Lorvale"
    )
    tasks = [
        Task(
            id="mini-lookup",
            family="lookup",
            question="Where is Zentrix Corp headquartered?",
            answer="Lorvale",
            support_docs=["d01"],
            solution=Solution(
                chains=[
                    Chain(
                        label="Zentrix Corp",
                        question="Where is Zentrix Corp headquartered?",
                        entry="Zentrix Corp",
                        hops=[zentrix_hq],
                        decoys=[Decoy(hop=0, doc_id="d02", value="Pellam", kind="namesake")],
                        guesses=["Pellam", "Brevik"],
                    )
                ]
            ),
        ),
        Task(
            id="mini-multi",
            family="multi_hop",
            question="In which country was the founder of the maker of the Vexa drone born?",
            answer="Arvenia",
            support_docs=["d05"],
            solution=Solution(
                chains=[
                    Chain(
                        label="Vexa drone",
                        entry="Vexa drone",
                        question=(
                            "In which country was the founder of the maker of the Vexa drone born?"
                        ),
                        hops=[
                            Hop(
                                subject="Vexa drone",
                                relation="maker",
                                doc_id="d03",
                                value="Zentrix Corp",
                            ),
                            Hop(
                                subject="Zentrix Corp",
                                relation="founder",
                                doc_id="d01",
                                value="Mara Quill",
                            ),
                            Hop(
                                subject="Mara Quill",
                                relation="birthplace",
                                doc_id="d04",
                                value="Dunmore",
                            ),
                            Hop(
                                subject="Dunmore", relation="country", doc_id="d05", value="Arvenia"
                            ),
                        ],
                        guesses=["Pellam", "Kestria"],
                    )
                ]
            ),
        ),
        Task(
            id="mini-breadth",
            family="breadth",
            question=(
                "Which has the largest headcount: Zentrix Corp, Halvern Labs or Corvel Systems?"
            ),
            answer="Zentrix Corp",
            support_docs=["d01", "d06", "d07"],
            solution=Solution(
                combine="argmax",
                chains=[
                    Chain(
                        label=n,
                        entry=n,
                        question=f"What is the headcount of {n}?",
                        hops=[Hop(subject=n, relation="headcount", doc_id=d, value=v)],
                    )
                    for n, d, v in [
                        ("Zentrix Corp", "d01", "5120"),
                        ("Halvern Labs", "d06", "3400"),
                        ("Corvel Systems", "d07", "1250"),
                    ]
                ],
            ),
        ),
        Task(
            id="mini-conflict",
            family="conflict",
            question="Who is the chief executive of Tarsk Mining?",
            answer="Ada Moss",
            support_docs=["d10"],
            solution=Solution(
                chains=[
                    Chain(
                        label="Tarsk Mining",
                        entry="Tarsk Mining",
                        question="Who is the chief executive of Tarsk Mining?",
                        hops=[
                            Hop(
                                subject="Tarsk Mining",
                                relation="chief executive",
                                doc_id="d10",
                                value="Ada Moss",
                            )
                        ],
                        decoys=[Decoy(hop=0, doc_id="d11", value="Karl Dent", kind="outdated")],
                        guesses=["Karl Dent", "Tom Reyes"],
                    )
                ]
            ),
        ),
        Task(
            id="mini-dead-end",
            family="dead_end",
            question="Where is Orion Robotics headquartered?",
            answer="Kestrel Bay",
            support_docs=["d08"],
            solution=Solution(
                chains=[
                    Chain(
                        label="Orion Robotics",
                        entry="Orion Robotics",
                        question="Where is Orion Robotics headquartered?",
                        hops=[
                            Hop(
                                subject="Nebula Works",
                                relation="headquartered",
                                doc_id="d08",
                                value="Kestrel Bay",
                            )
                        ],
                        rename=Hop(
                            subject="Orion Robotics",
                            relation="renamed",
                            doc_id="d09",
                            value="Nebula Works",
                        ),
                        guesses=["Lorvale", "Brevik"],
                    )
                ]
            ),
        ),
    ]
    return TaskSuite(
        name="mini", description="five hand-written tasks", documents=DOCS, tasks=tasks
    )
