"""Text archbench does not control, on the terminal: Rich markup in a tool name, an
architecture name or a task id prints as typed (it used to crash `run` and `compare` with
a MarkupError after the results were saved), and a model's ANSI and OSC escape
sequences print as visible stand-ins instead of reaching the terminal. Secrets in a
rejected model id are never repeated."""

from __future__ import annotations

import io
import json
import logging
import unicodedata
from pathlib import Path
from typing import Any

import fake_openai_server
import pytest
from cli_runner import cli
from fake_openai_server import FakeServer, research_policy
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.table import Table

from harness.cli.logs import logging_to
from harness.cli.progress import EpisodeProgress
from harness.cli.text import shown, visible
from harness.loader import load_architecture
from harness.redact import redact
from harness.task import TaskSuite

_server = fake_openai_server._server  # the fixtures, shared with the other server tests
fake_server = fake_openai_server.fake_server

ESCAPES = "\x1b]0;pwned\x07\x1b[31m\x1b[2J"
"""An OSC sequence that retitles the terminal window, a colour, a screen clear."""
MARKUP = "[/x] [bold]b[/bold] [link=file:///etc/passwd]l[/link] \\"
"""A closing tag with no opening one (the MarkupError), styles, a link, a backslash."""
HOSTILE = f"{MARKUP}{ESCAPES}"
SHOWN = visible(HOSTILE)


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert "\x1b" not in text and "\x07" not in text, text
        assert "Traceback" not in text and "MarkupError" not in text


# --- the function every piece goes through -----------------------------------------------

_ODD = ("Cc", "Cs", "Zl", "Zp")


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec=None, exclude_categories=()), max_size=40))
def test_visible_text_has_no_control_characters_and_prints_as_itself(text: str) -> None:
    v = visible(text)
    assert all(unicodedata.category(c) not in _ODD for c in v)
    assert len(v.splitlines()) <= 1  # one line, whatever came in
    console = Console(file=io.StringIO(), width=200, color_system=None, legacy_windows=False)
    table = Table("name")
    table.add_row(shown(text))
    console.print(shown(text), soft_wrap=True)  # never read as markup: no MarkupError
    console.print(table)
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "\x1b" not in printed
    assert v in printed.splitlines()[0]  # exactly as `visible` made it, brackets included


def test_visible_keeps_text_readable() -> None:
    assert visible("plain [bold] text, 中文 é 😀") == "plain [bold] text, 中文 é 😀"
    assert visible("a\x1b[31mb\x07c\nd\te\x00\x7f\x85") == "a␛[31mb␇c␊d␉e␀␡\\x85"
    assert visible("\ud800 \u202eevil") == "\ufffd \\u202eevil"
    assert shown(MARKUP).plain == MARKUP  # a Text: the brackets are kept, not parsed


# --- names from files --------------------------------------------------------------------


def hostile_suite(mini: TaskSuite, path: Path) -> Path:
    data = json.loads(mini.model_dump_json())
    data["name"] = f"suite {HOSTILE}"
    data["tasks"][0]["id"] = f"mini-{HOSTILE}"
    data["tasks"][0]["question"] = f"{data['tasks'][0]['question']} {HOSTILE}"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def hostile_arch(path: Path) -> Path:
    spec = load_architecture("kimi-researcher").model_dump(mode="json")
    spec["name"] = f"k {HOSTILE}"
    path.write_text(json.dumps(spec), encoding="utf-8")
    return path


def test_markup_and_escapes_in_names_print_as_typed(
    mini: TaskSuite, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An architecture name and a task id with markup and escape sequences: compare's
    tables (summary, families, paired), run's trace and list all print them visibly."""
    (tmp_path / "[bold]").mkdir()
    suite = hostile_suite(mini, tmp_path / "[bold]" / "suite [red].json")
    arch = hostile_arch(tmp_path / "arch.json")
    args = ["compare", "-a", str(arch), "-a", "manus-workflow", "--suite", str(suite)]
    code, out, err = cli([*args, "--seeds", "1", "-q", "--baseline", f"k {HOSTILE}"], capsys)
    assert code == 0, err
    assert_clean(out, err)
    assert out.count(f"k {SHOWN}"[:40]) >= 3  # summary, families, paired differences
    assert "[bold]/suite [red].json" in out  # the title's path, brackets and all

    code, out, err = cli(["run", str(arch), "-t", f"mini-{HOSTILE}", "--suite", str(suite)], capsys)
    assert code == 0, err
    assert_clean(out, err)
    assert "on mini-[/x] [bold]b[/bold]" in out  # the task id (long lines wrap)
    assert "question: " in out and out.count("␛]0;pwned␇␛[31m␛[2J") >= 3  # name, id, question


def test_a_model_s_markup_tool_name_and_escapes_print_visibly(
    fake_server: FakeServer, mini_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A real model whose first call is a tool named with markup and escapes, whose text
    carries an OSC sequence, and whose answer ends in markup: `run` shows each of them
    visibly and exits 0; `compare` prints its tables and exits 0."""

    def policy(body: dict[str, Any]) -> dict[str, Any]:
        if not any(m["role"] == "tool" for m in body["messages"]) and body.get("tools"):
            return {"content": HOSTILE, "calls": [{"name": HOSTILE, "arguments": "{}"}]}
        reply = research_policy(body)
        for call in reply["calls"]:
            if call["name"] == "answer":
                args = json.loads(call["arguments"])
                call["arguments"] = json.dumps({**args, "text": args["text"] + MARKUP})
        return reply

    fake_server.reset(policy=policy)
    model = fake_server.model_id(max_retries=0)
    run = ["run", "kimi-researcher", "-t", "mini-lookup", "--suite", str(mini_file)]
    code, out, err = cli([*run, "-m", f"agent={model}", "-v"], capsys)
    assert code == 0, err
    assert_clean(out, err)
    assert f"-> {SHOWN}" in out  # the tool name, as the model sent it
    assert f"Lorvale{MARKUP}" in out  # the answer, its markup printed as typed

    args = ["compare", "-a", "kimi-researcher", "--suite", str(mini_file), "--seeds", "1"]
    code, out, err = cli([*args, "-m", f"*={model}", "-q", "-o", str(tmp_path / "r")], capsys)
    assert code == 0, err
    assert_clean(out, err)


def test_the_progress_bar_shows_a_name_as_typed() -> None:
    console = Console(file=io.StringIO(), force_terminal=True, width=120)
    with EpisodeProgress(console, quiet=False, total=2) as bar:
        bar.update(1, 2, HOSTILE)
        bar.update(2, 2, HOSTILE)
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert "[/x]" in printed and "]0;pwned" not in printed.replace("␛]0;pwned", "")


# --- secrets in a model id ---------------------------------------------------------------

KEY = "sk-proj-SECRET0123456789abcdef"


@pytest.mark.parametrize(
    "model_id",
    [
        f"openai/gpt-4o?api_key={KEY}",
        f"openai/gpt-4o?key={KEY}&timeout=5",
        "openai-compatible/x@https://user:hunter2-pass@example.com/v1",
        f"openai/gpt-4o?base_url=https://user:{KEY}@example.com/v1",
        f"nope/x?token={KEY}",
        f"no-slash?api_key={KEY}",
        f"mock/kimi-k2?x=1&&api_key={KEY}&",
        f"mock/kimi-k2?skill={KEY}",
    ],
)
def test_a_rejected_model_id_is_not_repeated_with_its_secret(
    model_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "hunter2-pass" if "hunter2" in model_id else KEY
    for args in (
        ["run", "kimi-researcher", "-t", "default-lookup-01", "-m", f"agent={model_id}"],
        ["compare", "-m", f"*={model_id}", "-q"],
        ["compare", "-m", f"no-such-role={model_id}", "-q"],
        ["sweep", f"model.agent={model_id}", "-a", "kimi-researcher", "-o", str(tmp_path / "s")],
    ):
        code, out, err = cli(args, capsys)
        assert code == 2, err
        assert err.startswith("archbench: error: ") and err.count("\n") == 1
        assert secret not in err and secret[:12] not in err, err
        assert "[redacted]" in err or "model" in err
    assert not (tmp_path / "s").exists()


def test_redact_keeps_what_is_not_a_secret() -> None:
    assert redact("mock/x?skill=0.9&api_key_env=MY_KEY") == "mock/x?skill=0.9&api_key_env=MY_KEY"
    assert redact("https://host/v1 and user@example.com") == "https://host/v1 and user@example.com"
    assert redact(f"Authorization: Bearer {KEY}") == "Authorization: [redacted]"


def test_a_log_line_is_redacted_and_made_visible() -> None:
    """The last line of defence for messages made in the backends: a retry's log line
    quoting a model id with credentials, and a server's reason with escapes."""
    console = Console(file=io.StringIO(), width=300, color_system=None)
    log = logging.getLogger("archbench.backends")
    with logging_to(console, logging.INFO):
        log.info("%s: %s; retrying", f"x@https://u:{KEY}@h/v1", "bad \x1b]0;t\x07 reply")
        logging.getLogger("httpx").warning("not archbench's: not shown")
    log.info("after the block: not shown")
    printed = console.file.getvalue()  # type: ignore[attr-defined]
    assert printed.count("\n") == 1 and KEY not in printed and "\x1b" not in printed
    assert "info: x@https://[redacted]@h/v1: bad ␛]0;t␇ reply; retrying" in printed
