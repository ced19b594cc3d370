"""The public API: everything in `harness.__all__` exists, the list is sorted, and every
public name defined at the top level is in it (httpx keeps the same test)."""

from __future__ import annotations

import harness


def test_all_is_sorted_and_complete() -> None:
    assert harness.__all__ == sorted(harness.__all__)
    for name in harness.__all__:
        assert hasattr(harness, name), name
    public = {n for n in vars(harness) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(harness, n)).__name__ == "module"}
    assert public - modules - set(harness.__all__) == set()
