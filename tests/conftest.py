from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from mini_suite import mini_suite  # noqa: E402

from harness.corpus import Corpus  # noqa: E402
from harness.task import TaskSuite  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The tests' caches (corpus indexes, responses, generated suites) live in a directory
    of the session's own, never in the user's ~/.cache; and a developer's ./.env never
    feeds keys into tests that run the CLI in-process."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARCHBENCH_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("ARCHBENCH_NO_DOTENV", "1")
        yield


@pytest.fixture(scope="session")
def mini() -> TaskSuite:
    return mini_suite()


@pytest.fixture(scope="session")
def mini_corpus(mini: TaskSuite) -> Corpus:
    return Corpus(mini.documents)


@pytest.fixture(scope="session")
def mini_file(tmp_path_factory: pytest.TempPathFactory, mini: TaskSuite) -> Path:
    path = tmp_path_factory.mktemp("suite") / "mini.json"
    path.write_text(mini.model_dump_json(indent=1), encoding="utf-8")
    return path
