"""The report in a real headless browser: it loads from disk with no console errors, every
image has loaded, and an episode's trace page opens from its link.

Run alone with `python -m pytest -m browser`. Needs Chromium and its driver (Debian:
`apt-get install chromium chromium-driver`) and Selenium (`pip install -e ".[dev]"`); the
test skips, saying what is missing, when they are not installed — unless
ARCHBENCH_REQUIRE_BROWSER=1 (set it in CI), where a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import pytest

from harness.compare import compare
from harness.report import write_report
from harness.sweep import plan_sweep, run_sweep

pytestmark = pytest.mark.browser

BROWSERS = ("chromium", "chromium-browser", "google-chrome")
DRIVERS = ("chromedriver",)


def _missing(reason: str) -> NoReturn:
    if os.environ.get("ARCHBENCH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"ARCHBENCH_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def _find(names: tuple[str, ...], extra: tuple[str, ...] = ()) -> str | None:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in extra if Path(p).exists()), None)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed (pip install -e '.[dev]')")
    binary = _find(BROWSERS)
    driver_path = _find(DRIVERS, ("/usr/lib/chromium/chromedriver",))
    if binary is None or driver_path is None:
        _missing("no Chromium and chromedriver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(arg)
    options.add_argument("--disable-dev-shm-usage")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("browser")
    tasks = [f"default-{f}-0{i}" for f in ("lookup", "breadth", "dead_end") for i in (1, 2)]
    compare(["kimi-researcher", "manus-workflow"], seeds=1, tasks=tasks, out=base / "run")
    plan = plan_sweep(
        ["max_steps=3,10"], architectures=["kimi-researcher"], seeds=1, families=["dead_end"]
    )
    run_sweep(plan, base / "sweep")
    return {"run": write_report(base / "run"), "sweep": write_report(base / "sweep")}


def severe(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def check_page(driver: Any, url: str) -> int:
    """Load `url`; no console error, every image decoded. Returns the number of images."""
    driver.get(url)
    assert driver.execute_script("return document.readyState") == "complete"
    sizes = driver.execute_script(
        "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.alt]);"
    )
    broken = [alt for complete, width, alt in sizes if not complete or width == 0]
    assert not broken, f"images that did not load on {url}: {broken}"
    assert severe(driver) == [], url
    return len(sizes)


def test_report_loads_with_every_image(browser: Any, reports: dict[str, Path]) -> None:
    assert check_page(browser, reports["run"].as_uri()) >= 7
    assert "archbench report" in browser.title


def test_trace_page_opens_from_its_link(browser: Any, reports: dict[str, Path]) -> None:
    check_page(browser, reports["run"].as_uri())
    from selenium.webdriver.common.by import By

    link = browser.find_element(By.CSS_SELECTOR, "#episodes a[href^='traces/']")
    target = link.get_attribute("href")
    browser.execute_script("arguments[0].scrollIntoView(); arguments[0].click();", link)
    assert browser.current_url == target
    assert "seed" in browser.title
    bars = browser.find_elements(By.CSS_SELECTOR, ".timeline .bar")
    assert bars and all(b.size["width"] > 0 for b in bars)
    assert severe(browser) == []
    browser.find_element(By.LINK_TEXT, "← back to the report").click()
    assert browser.current_url == reports["run"].as_uri()


def test_sweep_report_and_cell_page(browser: Any, reports: dict[str, Path]) -> None:
    assert check_page(browser, reports["sweep"].as_uri()) >= 4
    from selenium.webdriver.common.by import By

    cell = browser.find_element(By.CSS_SELECTOR, "#cells a[href^='cells/']")
    url = cell.get_attribute("href")
    assert check_page(browser, url) >= 2
    assert "Cell c001" in browser.find_element(By.TAG_NAME, "h1").text
