"""report.html in a real browser: Debian's Chromium, headless, opens the written report from
disk (no network), every image decodes, the interactive view draws, no console error; the
screenshot is kept under the test's tmp path (its path is printed)."""

from __future__ import annotations

import shutil

import pytest

from h2osweep.analysis import analyze
from h2osweep.report import write_report
from tests.synthetic import wandb_table

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [  # playwright adds --headless and a fresh --user-data-dir (given below) itself
    "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is not installed"
)


def test_the_report_renders_in_headless_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    table = wandb_table(60, seed=5)
    table["config"] = table["config"].str.replace("'sgd'", "'<script>alert(1)</script>'")
    analysis = analyze(table, target="val_acc", goal="max")
    write_report(analysis, tmp_path / "report")
    problems, shot = [], tmp_path / "report.png"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=CHROMIUM, args=FLAGS, headless=True,
            viewport={"width": 1200, "height": 900},
        )  # fmt: skip
        page = browser.new_page()
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("dialog", lambda dialog: problems.append(f"dialog {dialog.message}"))
        page.goto((tmp_path / "report" / "report.html").as_uri(), wait_until="load")
        page.wait_for_selector("#parallel-interactive .parcoords", timeout=30_000)
        images = page.evaluate("[...document.images].map(i => i.complete && i.naturalWidth > 0)")
        lines = page.evaluate("document.querySelectorAll('#parallel-interactive canvas').length")
        points = page.evaluate("document.querySelectorAll('#parallel-runs .point').length")
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    print(f"screenshot: {shot}")
    assert len(images) >= 8 and all(images)
    assert lines > 0 and points == len(analysis.prepared.y)
    assert problems == []
