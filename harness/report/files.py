"""The files a report writes, and only those: its pages and figures, confined to the report
directory, listed in a manifest so the next report deletes exactly what this one wrote.

Why a manifest: a report directory is often inside a run directory someone sent, or a
folder the user chose (`--out`); deleting by pattern (every traces/*.html, every img/*.*)
would take a file the user put there, and a `report/img` that is a link would have it
delete files elsewhere. So a report deletes only the files the manifest of the previous
report lists (plain names of the kinds a report writes, checked again before each is
removed); a report written before manifests existed is overwritten name by name and
nothing of it is deleted. Every path is checked with `harness.runpaths`: no link inside
the report directory is followed, and each file is replaced, not written through.
"""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

from harness import runpaths
from harness.errors import ConfigError

MANIFEST = "archbench-manifest.json"
MARKER = '<meta name="generator" content="archbench report">'
_OURS = re.compile(r"^(index\.html|(cells|traces)/[^/]+\.html|img/[^/]+\.(svg|png))$")
"""The names a report writes (the only ones a manifest may make it delete)."""


class ReportFiles:
    """Writes the files of one report under `root`, and its manifest at the end."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: set[str] = set()

    def check(self) -> None:
        """Refuse a link where the report writes (its folders, its index, its manifest)."""
        for sub in ("index.html", "img", "traces", "cells", MANIFEST):
            runpaths.check(self.root, sub)

    def clear(self) -> None:
        """Check the directory and delete what the previous report listed as its own."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            self.check()
            index = self.root / "index.html"
            if index.exists():
                with runpaths.open_read(self.root, "index.html") as fh:
                    head = fh.read(64 * 1024).decode("utf-8", errors="replace")
                if MARKER not in head:
                    raise ConfigError(
                        f"'{self.root}' holds an index.html that is not an archbench report"
                    )
            for rel in self._listed():
                runpaths.unlink(self.root, rel)
            runpaths.unlink(self.root, MANIFEST)
        except OSError as exc:
            raise ConfigError(
                f"report directory '{self.root}' cannot be written: {exc.strerror}"
            ) from None

    def _listed(self) -> list[str]:
        """The previous report's files, as its manifest lists them (only names a report
        writes; anything else in a manifest is ignored, never deleted)."""
        if not (self.root / MANIFEST).exists():
            return []
        try:
            data = runpaths.read_json(self.root, MANIFEST)
        except ValueError:
            return []
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, list):
            return []
        return [f for f in files if isinstance(f, str) and _OURS.match(f)]

    def write(self, rel: str, data: str | bytes) -> Path:
        """Write the report file `rel` (e.g. "traces/x.html"), creating its folder."""
        parent = PurePosixPath(rel).parent
        if str(parent) != ".":
            runpaths.mkdirs(self.root, parent)
        else:
            self.root.mkdir(parents=True, exist_ok=True)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path = runpaths.write_bytes(self.root, rel, raw)
        self.written.add(rel)
        return path

    def finish(self) -> None:
        """Write the manifest: every file this report wrote, sorted (same report, same
        bytes)."""
        text = json.dumps({"archbench_report": 1, "files": sorted(self.written)}, indent=1)
        runpaths.write_text(self.root, MANIFEST, text + "\n")
