"""What archbench promises about a run directory, whatever else is going on: one writer at
a time (a second is refused in one line and writes nothing; a lock outlives no process,
and no worker waits on it), nothing read or written outside the directory (a link inside
it is refused, never followed), a report deletes only what a report wrote, a resume runs
only the configuration the run started with, and nothing read from it is unbounded."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from harness import compare, runlock, runpaths
from harness.cli import main
from harness.errors import ConfigError
from harness.report import write_report
from harness.report.files import MANIFEST
from harness.report.load import load_run
from harness.rerun import resume
from harness.runtime import Episode
from harness.sweep import plan_sweep, run_sweep
from harness.task import TaskSuite

REPO = Path(__file__).parents[1]
ARCH = ["kimi-researcher"]
HOLDER = """
import os, sys
from pathlib import Path
from harness import runlock
held = runlock.lock(Path(sys.argv[1]), "test")
print("locked", flush=True)
if sys.argv[2] == "die":
    os._exit(0)  # the kernel releases the lock; its file stays behind
sys.stdin.readline()
held.release()
"""


def cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Run the CLI in this process: its exit code and stderr."""
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def tree(d: Path) -> dict[str, bytes]:
    """Every file under `d` (links as their target's name), to show nothing changed."""
    out: dict[str, bytes] = {}
    for p in sorted(d.rglob("*")):
        if p.is_symlink():
            out[str(p.relative_to(d))] = os.readlink(p).encode()
        elif p.is_file():
            out[str(p.relative_to(d))] = p.read_bytes()
    return out


@contextmanager
def held_elsewhere(directory: Path) -> Iterator[subprocess.Popen[str]]:
    """`directory`'s lock, held by another process until the block ends."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(directory), "wait"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline().strip() == "locked"
        yield proc
    finally:
        proc.stdin.close()  # it reads end-of-file, releases and exits
        assert proc.wait(timeout=60) == 0
        proc.stdout.close()


def lockable_elsewhere(directory: Path) -> bool:
    """Can another process take `directory`'s lock now? (It exits, so nothing is held.)"""
    out = subprocess.run(
        [sys.executable, "-c", HOLDER, str(directory), "die"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if out.stdout.strip() != "locked":
        return False
    (directory / runlock.LOCK_FILE).unlink()  # the note a dead holder leaves behind
    return True


def interrupted(d: Path, suite: TaskSuite, at: int = 4) -> Path:
    def stop(ep: Episode, done: int, total: int) -> None:
        if done == at:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        compare(ARCH, suite=suite, seeds=2, out=d, on_episode=stop)
    return d


@pytest.fixture(scope="module")
def finished(mini: TaskSuite, tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("finished") / "run"
    compare(ARCH, suite=mini, seeds=2, out=d)
    return d


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, symlinks=True)
    return dst


# --- one writer --------------------------------------------------------------------------


def test_a_second_writer_is_refused_in_one_line_and_writes_nothing(
    mini: TaskSuite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = interrupted(tmp_path / "run", mini)
    before = tree(run)
    with held_elsewhere(run) as holder:
        for args in (
            ["compare", "--resume", str(run), "-q"],
            ["compare", "--arch", ARCH[0], "--seeds", "1", "--out", str(run), "-q"],
            ["report", str(run)],
        ):
            code, err = cli(args, capsys)
            assert code == 2, args
            assert err.count("\n") == 1 and "Traceback" not in err, err
            assert f"pid {holder.pid} on host {socket.gethostname()}" in err, err
            assert "is being written by another archbench" in err
        with pytest.raises(ConfigError, match=f"pid {holder.pid}"):
            resume(run)
        assert tree(run) == {**before, runlock.LOCK_FILE: tree(run)[runlock.LOCK_FILE]}
    assert tree(run) == before  # the holder removed its lock file
    resume(run)  # and the run finishes once it is free
    assert (run / "summary.json").exists() and not (run / runlock.LOCK_FILE).exists()


def test_a_sweep_and_its_cells_have_one_writer(tmp_path: Path) -> None:
    plan = plan_sweep(["max_steps=2,4"], architectures=ARCH, seeds=1, families=["lookup"])
    d = tmp_path / "s"
    with held_elsewhere(d):
        with pytest.raises(ConfigError, match="being written by another archbench"):
            run_sweep(plan, d)
        assert [p.name for p in d.iterdir()] == [runlock.LOCK_FILE]
    run_sweep(plan, d)
    (d / "cells.jsonl").write_text((d / "cells.jsonl").read_text().splitlines()[0] + "\n")
    before = tree(d)
    with held_elsewhere(d / "cells" / "c002"):  # someone finishing that cell by hand
        with pytest.raises(ConfigError, match="being written by another archbench"):
            run_sweep(plan, d, resume=True)
    assert tree(d) == before
    run_sweep(plan, d, resume=True)
    assert len((d / "cells.jsonl").read_text().splitlines()) == 2


def test_the_lock_is_released_after_ctrl_c_an_exception_and_a_finished_run(
    mini: TaskSuite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = interrupted(tmp_path / "run", mini)  # Ctrl-C
    assert not (run / runlock.LOCK_FILE).exists() and lockable_elsewhere(run)

    def fail(ep: Episode, done: int, total: int) -> None:
        raise RuntimeError("a bug in a callback")

    with pytest.raises(RuntimeError):
        resume(run, on_episode=fail)  # an exception, with the lock taken twice (re-entered)
    assert not (run / runlock.LOCK_FILE).exists() and lockable_elsewhere(run)
    resume(run)
    assert lockable_elsewhere(run)

    from harness.report import build

    def broken(self: Any) -> Path:
        raise RuntimeError("a bug in the report")

    monkeypatch.setattr(build._Builder, "write", broken)
    with pytest.raises(RuntimeError):
        write_report(run)
    assert not (run / runlock.LOCK_FILE).exists() and lockable_elsewhere(run)
    assert runlock._HELD == {}


def test_a_lock_left_by_a_dead_process_never_blocks(mini: TaskSuite, tmp_path: Path) -> None:
    run = interrupted(tmp_path / "run", mini)
    out = subprocess.run(
        [sys.executable, "-c", HOLDER, str(run), "die"], capture_output=True, text=True, cwd=REPO
    )
    assert out.stdout.strip() == "locked" and (run / runlock.LOCK_FILE).exists()
    resume(run)  # the kernel released it when the process ended
    assert (run / "summary.json").exists() and not (run / runlock.LOCK_FILE).exists()


def test_another_thread_of_this_process_is_a_second_writer(tmp_path: Path) -> None:
    d = tmp_path / "run"
    refused: list[BaseException] = []

    def second() -> None:
        try:
            runlock.lock(d, "--out").release()
        except ConfigError as exc:
            refused.append(exc)

    with runlock.lock(d, "--out"), runlock.lock(d, "--resume"):  # re-entered by its thread
        thread = threading.Thread(target=second)
        thread.start()
        thread.join()
    assert len(refused) == 1 and "another thread of this process" in str(refused[0])
    assert runlock._HELD == {} and not (d / runlock.LOCK_FILE).exists()


def _held_in_child() -> int:
    return len(runlock._HELD)


def test_worker_processes_neither_hold_nor_wait_for_the_lock(
    mini: TaskSuite, tmp_path: Path
) -> None:
    d = tmp_path / "held"
    with runlock.lock(d, "test"):
        ctx = multiprocessing.get_context("fork")
        with ctx.Pool(1) as pool:  # a forked child drops its copy of the parent's lock
            assert pool.apply(_held_in_child) == 0
        assert not lockable_elsewhere(d)  # ... which the parent still holds
    run = tmp_path / "run"
    compare(ARCH, suite=mini, seeds=4, out=run, workers=2)
    assert (run / "summary.json").exists() and lockable_elsewhere(run)


# --- nothing outside the run directory --------------------------------------------------


def _link(run: Path, name: str, target: Path) -> None:
    """Replace `run/name` by a link to `target`, which gets the file's content first."""
    if (run / name).is_file():
        shutil.copyfile(run / name, target)
        (run / name).unlink()
    (run / name).symlink_to(target)


LINKED: list[tuple[str, Callable[[Path], list[str]]]] = [
    ("results.jsonl", lambda run: ["compare", "--resume", str(run), "-q"]),
    ("traces.jsonl", lambda run: ["compare", "--resume", str(run), "-q"]),
    ("config.json", lambda run: ["compare", "--resume", str(run), "-q"]),
    ("architectures.json", lambda run: ["compare", "--resume", str(run), "-q"]),
    ("results.jsonl", lambda run: ["report", str(run)]),
    ("traces.jsonl", lambda run: ["report", str(run)]),
    ("report", lambda run: ["report", str(run)]),
    ("report/img", lambda run: ["report", str(run)]),
    ("report/traces", lambda run: ["report", str(run)]),
    ("traces.jsonl", lambda run: ["graph", "--run", str(run), ARCH[0], "-o", f"{run}.svg"]),
]


@pytest.mark.parametrize(("name", "command"), LINKED, ids=lambda x: x if isinstance(x, str) else "")
def test_a_link_inside_a_run_directory_is_refused(
    finished: Path,
    mini: TaskSuite,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    command: Callable[[Path], list[str]],
) -> None:
    run = interrupted(tmp_path / "run", mini)
    if name.startswith("report"):
        write_report(run)
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("someone's file\n")
    if name in ("report", "report/img", "report/traces"):
        shutil.rmtree(run / name)
        (run / name).symlink_to(target)
    else:
        _link(run, name, target / "linked")
    before, outside = tree(run), tree(target)
    code, err = cli(command(run), capsys)
    assert code == 2 and err.count("\n") == 1 and "is a symbolic link" in err, err
    assert tree(target) == outside and tree(run) == before


def test_a_link_to_an_endless_file_is_not_read(
    finished: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = copy(finished, tmp_path / "run")
    (run / "traces.jsonl").unlink()
    (run / "traces.jsonl").symlink_to("/dev/zero")
    code, err = cli(["report", str(run)], capsys)
    assert code == 2 and "is a symbolic link" in err and not (run / "report").exists()
    with pytest.raises(ConfigError, match="symbolic link"):
        load_run(run)


def test_a_new_run_does_not_write_through_a_link(
    mini: TaskSuite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    for name in ("results.jsonl", "config.json", "recording.jsonl"):
        run = tmp_path / f"run-{name}"
        run.mkdir()
        (run / name).symlink_to(target / name)  # dangling: a write would create it there
        code, err = cli(["compare", "-a", ARCH[0], "--seeds", "1", "-o", str(run), "-q"], capsys)
        assert code == 2 and "is a symbolic link" in err, err
        assert [p.name for p in run.iterdir()] == [name]
    assert list(target.iterdir()) == []


def test_a_sweep_does_not_follow_a_link(tmp_path: Path) -> None:
    plan = plan_sweep(["max_steps=2,4"], architectures=ARCH, seeds=1, families=["lookup"])
    d = tmp_path / "s"
    run_sweep(plan, d)
    (d / "cells.jsonl").write_text("")  # as if no cell had finished: both are run again
    target = tmp_path / "elsewhere"
    shutil.move(d / "cells", target)
    (d / "cells").symlink_to(target)
    outside = tree(target)
    with pytest.raises(ConfigError, match="symbolic link"):
        run_sweep(plan, d, resume=True)
    assert tree(target) == outside


# --- the report deletes only what a report wrote ---------------------------------------


def test_a_report_deletes_only_what_the_last_report_wrote(finished: Path, tmp_path: Path) -> None:
    run = copy(finished, tmp_path / "run")
    write_report(run, max_traces=None)
    report = run / "report"
    listed = json.loads((report / MANIFEST).read_text())["files"]
    assert "index.html" in listed and all((report / f).is_file() for f in listed)
    pages = sorted(p.name for p in (report / "traces").iterdir())
    assert len(pages) == 10
    foreign = {
        "notes.txt": b"mine\n",
        "img/my-figure.png": b"png",
        "traces/my-page.html": b"<p>mine</p>",
    }
    for rel, data in foreign.items():
        (report / rel).write_bytes(data)
    write_report(run, max_traces=2)  # eight of the trace pages are no longer written
    for rel, data in foreign.items():
        assert (report / rel).read_bytes() == data, rel
    assert len(list((report / "traces").iterdir())) == 2 + 1

    # a manifest that lists what a report never writes deletes none of it
    (report / MANIFEST).write_text(
        json.dumps({"files": ["../config.json", "notes.txt", "/etc/hostname", "img/../../x"]})
    )
    before = tree(run)
    write_report(run, max_traces=2)
    for rel in ("config.json", "report/notes.txt"):
        assert (run / rel).read_bytes() == before[rel]


def test_a_report_without_a_manifest_deletes_nothing(finished: Path, tmp_path: Path) -> None:
    """A report written before manifests: its files are overwritten name by name, none
    deleted (an old page no longer written stays)."""
    run = copy(finished, tmp_path / "run")
    write_report(run, max_traces=None)
    report = run / "report"
    (report / MANIFEST).unlink()
    old = sorted(p.name for p in (report / "traces").iterdir())
    write_report(run, max_traces=1)
    assert sorted(p.name for p in (report / "traces").iterdir()) == old
    listed = json.loads((report / MANIFEST).read_text())["files"]
    assert len([f for f in listed if f.startswith("traces/")]) == 1


# --- what --resume runs -------------------------------------------------------------------


def test_resume_of_a_read_only_directory_is_one_line(
    mini: TaskSuite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = interrupted(tmp_path / "run", mini)
    before = tree(run)
    run.chmod(0o555)
    for f in run.iterdir():
        f.chmod(0o444)
    if os.geteuid() == 0:  # root writes anyway: make the file system say no, as it would
        real_open = os.open

        def read_only(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
            writes = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
            if str(path).startswith(str(run)) and flags & writes:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
            return real_open(path, flags, *args, **kwargs)

        monkeypatch.setattr(os, "open", read_only)
    try:
        code, err = cli(["compare", "--resume", str(run), "-q"], capsys)
    finally:
        monkeypatch.undo()
        run.chmod(0o755)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
    assert "cannot be written: Permission denied" in err
    assert tree(run) == before


def test_a_hand_edited_config_is_refused(
    mini: TaskSuite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = interrupted(tmp_path / "run", mini)
    config = json.loads((run / "config.json").read_text())
    config["roles"][ARCH[0]]["agent"] = "mock/claude-sonnet-4"  # the rest on another model
    (run / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    before = tree(run)
    code, err = cli(["compare", "--resume", str(run), "-q"], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "config.json has changed since the run wrote it" in err
    assert tree(run) == before
    notes = [n.text for n in load_run(run).all_notes()]
    assert any("config.json has changed" in n for n in notes)


def test_a_newer_format_version_is_refused(
    mini: TaskSuite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = interrupted(tmp_path / "run", mini)
    config = json.loads((run / "config.json").read_text())
    config["format_version"] = 99
    (run / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    before = tree(run)
    code, err = cli(["compare", "--resume", str(run), "-q"], capsys)
    assert code == 2 and err.count("\n") == 1, err
    assert "written by a newer archbench (run format 99" in err
    assert tree(run) == before

    plan = plan_sweep(["max_steps=2,4"], architectures=ARCH, seeds=1, families=["lookup"])
    d = tmp_path / "s"
    run_sweep(plan, d)
    meta = json.loads((d / "sweep.json").read_text())
    (d / "sweep.json").write_text(json.dumps({**meta, "format_version": 99}))
    with pytest.raises(ConfigError, match="newer archbench"):
        run_sweep(plan, d, resume=True)


# --- bounded reading ------------------------------------------------------------------------


def test_a_line_longer_than_the_bound_is_not_read(
    finished: Path, mini: TaskSuite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runpaths, "MAX_RECORD_BYTES", 1 << 20)
    run = copy(finished, tmp_path / "run")
    with open(run / "traces.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"x": "' + "0" * (2 << 20) + '"}\n')  # 2 MB: no line archbench writes
    notes = [n.text for n in load_run(run).all_notes()]
    assert any("line 11 is longer than 1 MiB" in n for n in notes), notes
    write_report(run)

    part = interrupted(tmp_path / "part", mini)
    with open(part / "results.jsonl", "a", encoding="utf-8") as fh:
        fh.write("0" * (2 << 20))  # no line end: it would be read to the end
    with pytest.raises(ConfigError, match="line 5 is longer than 1 MiB"):
        resume(part)
    big = copy(finished, tmp_path / "big")
    (big / "config.json").write_bytes(b" " * (2 << 20))
    with pytest.raises(ConfigError, match="larger than 1 MiB"):
        resume(big)


# --- trace pages and drawings ----------------------------------------------------------------


def _renamed(suite: TaskSuite, ids: list[str]) -> TaskSuite:
    tasks = [t.model_copy(update={"id": i}) for t, i in zip(suite.tasks, ids, strict=False)]
    return suite.model_copy(update={"tasks": tasks, "name": "renamed"})


def test_task_ids_that_clean_alike_get_their_own_pages(mini: TaskSuite, tmp_path: Path) -> None:
    long_id = "q-" + "x" * 300
    ids = ["a b", "a_b", "a/b", long_id, "a\u00e9b"]
    run = tmp_path / "run"
    compare(ARCH, suite=_renamed(mini, ids), seeds=1, out=run)
    index = write_report(run, max_traces=None)
    page = index.read_text()
    links = sorted(set(re_links(page)))
    assert len(links) == len(ids)
    for link in links:
        assert (index.parent / link).is_file() and len(Path(link).name) <= 100, link
    titles = {(index.parent / link).read_text().split("<title>")[1].split("</title>")[0]
              for link in links}  # fmt: skip
    assert len(titles) == len(ids)  # each page is its own episode's


def re_links(page: str) -> list[str]:
    import re

    return re.findall(r'href="(traces/[^"]+)"', page)


def test_a_design_from_a_user_file_is_drawn(mini: TaskSuite, tmp_path: Path) -> None:
    design = tmp_path / "mine.toml"
    design.write_text(
        'name = "toml-agent"\nroles = { agent = "mock/kimi-k2" }\nentry = "loop"\n'
        'edges = [{ source = "loop", target = "end" }]\n'
        '[[nodes]]\nname = "loop"\nkind = "agent"\nrole = "agent"\nmax_steps = 6\n'
    )
    run = tmp_path / "run"
    compare([str(design)], suite=mini, seeds=1, out=run)
    design.unlink()  # the report reads it from the run's architectures.json
    page = write_report(run).read_text()
    assert "could not be drawn" not in page
    assert "toml-agent" in page and "as this run bound it" in page
