"""The conventions a Python command-line tool is expected to keep: `--version`, `python -m`,
shell completion, `py.typed`, declared dependencies, a license, readable `--help`, `.env`,
a way to manage the cache, text in SVGs, a quiet stderr; and a wheel that installs and runs."""

from __future__ import annotations

import ast
import os
import shutil
import sqlite3
import subprocess
import sys
import tomllib
import venv
from importlib.metadata import packages_distributions, version
from pathlib import Path

import pytest
from cli_runner import cli

import archbench
import harness
from harness.backends.cache import ResponseCache
from harness.cli.cache_cmd import parse_size
from harness.compare import archbench_version, compare
from harness.errors import BackendError
from harness.messages import Message, ModelRequest, ToolCall
from harness.scripted import ScriptedModel

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PACKAGES = ("harness", "architectures", "tasks", "archbench")
COMMANDS = [
    [],
    ["list"],
    ["compare"],
    ["run"],
    ["graph"],
    ["sweep"],
    ["report"],
    ["cache"],
    ["cache", "info"],
    ["cache", "clear"],
    ["cache", "prune"],
]


# --- --version, python -m archbench, completion --------------------------------------


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli([flag], capsys)
    assert code == 0 and out == f"archbench {archbench_version()}\n"
    assert archbench_version() == version("archbench") == archbench.__version__


def test_dash_v_is_not_the_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["-v"], capsys)  # kept free: -v is --verbose where a command has it
    assert code == 2 and "archbench" not in out and "No such option" in err


def test_python_dash_m_archbench() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "archbench", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and done.stdout == f"archbench {archbench_version()}\n"


def test_archbench_is_harness_under_its_own_name() -> None:
    assert set(harness.__all__) < set(archbench.__all__)
    for name in harness.__all__:
        assert getattr(archbench, name) is getattr(harness, name), name
    assert set(harness.__all__) <= set(dir(archbench))
    with pytest.raises(AttributeError):
        archbench.no_such_name  # noqa: B018


def test_shell_completion_is_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli(["--help"], capsys)
    assert "--install-completion" in out and "--show-completion" in out
    monkeypatch.setenv("_ARCHBENCH_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "archbench compare --se")
    monkeypatch.setenv("COMP_CWORD", "2")
    code, out, _ = cli([], capsys)
    assert code == 0 and set(out.split()) >= {"--seeds", "--seed", "--set"}
    monkeypatch.setenv("COMP_WORDS", "archbench ca")
    monkeypatch.setenv("COMP_CWORD", "1")
    code, out, _ = cli([], capsys)
    assert code == 0 and out.split() == ["cache"]


# --- packaging metadata ---------------------------------------------------------------


def test_py_typed_is_shipped() -> None:
    data = PYPROJECT["tool"]["setuptools"]["package-data"]
    for package in ("harness", "archbench"):
        assert (ROOT / package / "py.typed").is_file()
        assert "py.typed" in data[package]
    assert any(
        p.startswith("archbench")
        for p in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    )


def test_license_is_an_spdx_string_with_its_file() -> None:
    assert PYPROJECT["project"]["license"] == "MIT"
    assert PYPROJECT["project"]["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "archbench authors" in text


def _requirement_name(req: str) -> str:
    name = req.split(";")[0]
    for stop in "<>=!~[ ":
        name = name.split(stop)[0]
    return name.strip().lower().replace("_", "-")


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(top-level modules imported when the module is, those imported only inside a
    function, a try or an `if`: optional or lazy)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    eager: set[str] = set()
    lazy: set[str] = set()

    def visit(node: ast.AST, nested: bool) -> None:
        for child in ast.iter_child_nodes(node):
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            (lazy if nested else eager).update(n.split(".")[0] for n in names)
            inner = nested or isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Try | ast.If
            )
            visit(child, inner)

    visit(tree, False)
    return eager, lazy


def test_every_imported_library_is_declared() -> None:
    project = PYPROJECT["project"]
    core = {_requirement_name(r) for r in project["dependencies"]}
    extras = {
        _requirement_name(r) for reqs in project["optional-dependencies"].values() for r in reqs
    }
    dists = packages_distributions()
    ours = set(PACKAGES)
    missing: list[str] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            eager, lazy = _imports(path)
            checks = [(m, core) for m in eager] + [(m, core | extras) for m in lazy]
            for module, allowed in checks:
                if module in sys.stdlib_module_names or module in ours or module == "__future__":
                    continue
                names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
                if not names & allowed:
                    missing.append(f"{path.relative_to(ROOT)}: {module}")
    assert missing == []


# --- readable --help ------------------------------------------------------------------


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "archbench")
def test_help_has_readable_placeholders(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cli([*command, "--help"], capsys)
    assert code == 0
    options = out.split("Options:", 1)[1]
    placeholders = [
        line for line in options.splitlines() if line.strip().startswith("-") and "<" in line
    ]
    assert placeholders == []  # e.g. "--seeds N", never "--seeds <int range>"


# --- .env -----------------------------------------------------------------------------


def test_dotenv_fills_in_what_the_environment_lacks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHBENCH_NO_DOTENV", raising=False)
    monkeypatch.setenv("H7_FROM_FILE", "placeholder")  # restored after the test
    monkeypatch.delenv("H7_FROM_FILE")
    monkeypatch.setenv("H7_REAL", "from-the-environment")
    (tmp_path / ".env").write_text(
        "# keys\nH7_FROM_FILE=sk-secret-from-file\nexport H7_REAL=sk-secret-loses\n"
        "H7_DOLLAR='a$b${HOME}'\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("H7_DOLLAR", "placeholder")
    monkeypatch.delenv("H7_DOLLAR")
    code, out, err = cli(["list", "suites"], capsys)
    assert code == 0
    assert os.environ["H7_FROM_FILE"] == "sk-secret-from-file"
    assert os.environ["H7_REAL"] == "from-the-environment"  # the real environment wins
    assert os.environ["H7_DOLLAR"] == "a$b${HOME}"  # as written: no interpolation
    assert "sk-secret" not in out + err


def test_a_bad_dotenv_line_is_named_by_number_never_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHBENCH_NO_DOTENV", raising=False)
    (tmp_path / ".env").write_text('OK=1\nBROKEN="sk-secret-unterminated\n', encoding="utf-8")
    code, out, err = cli(["list", "suites"], capsys)
    assert code == 2 and err.count("\n") == 1
    assert "line 2 does not parse" in err and ".env" in err and "sk-secret" not in out + err
    monkeypatch.setenv("ARCHBENCH_NO_DOTENV", "1")
    assert cli(["list", "suites"], capsys)[0] == 0


# --- archbench cache -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("123456", 123456),
        ("500k", 500_000),
        ("2MB", 2_000_000),
        ("1GiB", 2**30),
        ("1.5m", 1_500_000),
    ],
)
def test_sizes(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "big", "-5M", "5 iB", "5X"])
def test_bad_sizes(text: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = cli(["cache", "prune", "--max-size", text, "--cache-dir", str(tmp_path)], capsys)
    assert code == 2 and "--max-size" in err


def _fill(directory: Path, n: int, size: int) -> ResponseCache:
    cache = ResponseCache(directory)
    db = cache.open()
    for i in range(n):
        db.execute(
            "INSERT INTO responses VALUES (?, ?, ?, ?)",
            (f"key{i:04}", f"openai/model-{i % 2}", "x" * size, 1_700_000_000.0 + i),
        )
    cache.close()
    return cache


def test_cache_info_prune_clear(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    where = ["--cache-dir", str(tmp_path / "c")]
    code, out, _ = cli(["cache", "info", *where], capsys)
    assert code == 0 and "empty" in out and not (tmp_path / "c").exists()  # nothing created
    cache = _fill(tmp_path / "c", 200, 5_000)
    code, out, _ = cli(["cache", "info", *where], capsys)
    assert code == 0 and "answers: 200" in out and "openai/model-0: 100" in out
    code, out, _ = cli(["cache", "prune", "--max-size", "300k", *where], capsys)
    assert code == 0 and "oldest first" in out
    files = [cache.path, cache.path.with_name(cache.path.name + "-wal")]
    assert sum(p.stat().st_size for p in files if p.exists()) <= 300_000
    with sqlite3.connect(cache.path) as db:
        keys = [k for (k,) in db.execute("SELECT key FROM responses ORDER BY key")]
    assert 30 < len(keys) < 60 and keys[-1] == "key0199"  # the newest kept
    assert keys == [f"key{i:04}" for i in range(200 - len(keys), 200)]
    code, out, _ = cli(["cache", "clear", "--yes", *where], capsys)
    assert code == 0 and f"deleted {len(keys)} answers" in out
    code, out, _ = cli(["cache", "info", *where], capsys)
    assert "answers: 0" in out


# --- drawings and plots --------------------------------------------------------------


def test_fallback_svg_keeps_text_as_text() -> None:
    from harness.drawing.fallback import render_fallback
    from harness.drawing.scene import build_figure
    from harness.graph import compile_architecture
    from harness.loader import load_architecture

    figure = build_figure([compile_architecture(load_architecture("manus-workflow"))], None)
    svg = render_fallback(figure, "svg").decode("utf-8")
    assert "<text" in svg and ">manus-workflow<" in svg


def test_an_all_error_run_reports_without_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], recwarn: pytest.WarningsRecorder
) -> None:
    """Every episode errors after its first call (a server that went down): the report's
    plots still draw, and nothing but archbench's own lines reaches stderr."""

    def factory(model_id: str) -> ScriptedModel:
        calls = 0

        def reply(request: ModelRequest) -> Message:
            nonlocal calls
            calls += 1
            if calls > 1:
                raise BackendError("server down")
            return Message("assistant", "", (ToolCall("c0", "search", {"query": "x"}),))

        return ScriptedModel(reply, model_id)

    run = tmp_path / "run"
    result = compare(["kimi-researcher", "manus-workflow"], seeds=1, out=run, model_factory=factory)
    assert {r.outcome for r in result.results} == {"error"}
    capsys.readouterr()
    code, out, err = cli(["report", str(run)], capsys)
    assert code == 0 and "report written" in out + err
    assert [w for w in recwarn] == []
    assert "warn" not in err.lower() and "matplotlib" not in err.lower()


# --- the wheel -----------------------------------------------------------------------


def test_the_wheel_builds_installs_and_runs(tmp_path: Path) -> None:
    """`python -m build`, then a fresh venv (with the system's packages, so nothing is
    downloaded but the build backend), then the installed command, run from elsewhere."""
    pytest.importorskip("build", reason="pip install build")
    source = tmp_path / "src"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git", "__pycache__", "build", "dist", "*.egg-info", ".*_cache", "runs", ".venv"
        ),
    )
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = dist.glob("archbench-*.whl")
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"harness/py.typed", "archbench/py.typed", "harness/backends/prices.toml"} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall"]
    installed = subprocess.run([*pip, str(wheel)], capture_output=True, text=True, timeout=240)
    assert installed.returncode == 0, installed.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    command = str(env_dir / "bin" / "archbench")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [command, *args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=240
        )

    shown = run("--version")
    assert shown.returncode == 0 and shown.stdout == f"archbench {archbench_version()}\n"
    compared = run("compare", "--arch", "kimi-researcher", "--seeds", "1", "-q")
    assert compared.returncode == 0, compared.stderr[-2000:]
    assert "kimi-researcher" in compared.stdout
    where = subprocess.run(
        [str(python), "-c", "import harness; print(harness.__file__)"],
        cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert str(env_dir) in where.stdout  # the installed copy ran, not the source tree
