"""The real app in headless Chromium: upload the sample PDF, see its findings, keep a screenshot.

Needs `chromium` and `chromedriver` on PATH (Debian: `apt-get install chromium chromium-driver`);
skipped otherwise. The screenshot is kept under tests/artifacts/ (git-ignored); set
LEGAL_ORCH_UPDATE_SCREENSHOT=1 to also refresh docs/ui.png, the README's picture.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from legal_orch_ui import APP_PATH

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
DRIVER = shutil.which("chromedriver")
# The first review loads the models and indexes the precedent bank: minutes on a small machine.
REVIEW_TIMEOUT = float(os.environ.get("LEGAL_ORCH_BROWSER_TIMEOUT", "600"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError("streamlit did not start")


@pytest.fixture
def app_url(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "LEGAL_ORCH_DATA_DIR": os.environ.get("LEGAL_ORCH_DATA_DIR", str(tmp_path / "data")),
    }
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP_PATH),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    log = (tmp_path / "streamlit.log").open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_http(port, proc)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        (ARTIFACTS / "streamlit.log").parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / "streamlit.log", ARTIFACTS / "streamlit.log")


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and DRIVER):
        pytest.skip(
            "needs chromium and chromedriver on PATH (apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1400,1800",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


def test_upload_sample_and_see_findings(app_url, browser, sample_pdf):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 120)
    browser.get(app_url)
    wait.until(ec.presence_of_element_located((By.XPATH, "//h1[contains(., 'Contract review')]")))
    upload = wait.until(
        ec.presence_of_element_located(
            (
                By.CSS_SELECTOR,
                "[data-testid='stMain'] [data-testid='stFileUploader'] input[type='file']",
            )
        )
    )
    upload.send_keys(str(sample_pdf))
    # the button is enabled once the upload has reached the server
    wait.until(ec.element_to_be_clickable((By.XPATH, "//button[.//p[text()='Review']]"))).click()

    done = WebDriverWait(browser, REVIEW_TIMEOUT).until(
        ec.any_of(
            ec.presence_of_element_located((By.XPATH, "//h4[contains(., 'Findings')]")),
            ec.presence_of_element_located(
                (By.XPATH, "//*[contains(text(), 'paused for your decision')]")
            ),
            ec.presence_of_element_located(
                (By.CSS_SELECTOR, "[data-testid='stAlertContentError']")
            ),
        )
    )
    errors = [
        e.text
        for e in browser.find_elements(By.CSS_SELECTOR, "[data-testid='stAlertContentError']")
    ]
    assert not errors, errors
    if "paused" in done.text:  # an uncertain high risk: accept it and let the review finish
        browser.find_element(
            By.CSS_SELECTOR, "[data-testid='stSidebar'] input[type='text']"
        ).send_keys("Tester\n")
        time.sleep(1)
        browser.find_element(
            By.XPATH, "//button[.//p[contains(text(), 'Submit decisions')]]"
        ).click()
        WebDriverWait(browser, REVIEW_TIMEOUT).until(
            ec.presence_of_element_located((By.XPATH, "//h4[contains(., 'Findings')]"))
        )

    incomplete = [
        w.text
        for w in browser.find_elements(By.CSS_SELECTOR, "[data-testid='stAlertContentWarning']")
        if "incomplete" in w.text
    ]
    assert not incomplete, incomplete
    expanders = wait.until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "[data-testid='stExpander'] summary")
    )
    assert expanders, "no findings shown"
    summary = browser.find_element(By.XPATH, "//h3[contains(., 'validation')]").text
    assert summary.startswith("reseller_agreement.pdf: validation ")
    # open the first finding that cites text, to show its highlighted page in the screenshot
    for e in expanders:
        # a script click: the app's sticky header may cover the summary for a real click
        browser.execute_script(
            "arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", e
        )
        time.sleep(1)
        if any(
            m.is_displayed()
            for m in browser.find_elements(By.CSS_SELECTOR, "[data-testid='stExpander'] mark")
        ):
            break
        browser.execute_script("arguments[0].click()", e)  # nothing cited: fold it again
    marks = browser.find_elements(By.CSS_SELECTOR, "[data-testid='stExpander'] mark")
    highlighted = [m.text for m in marks if m.is_displayed() and m.text.strip()]
    browser.execute_script("document.querySelector('h1').scrollIntoView()")
    time.sleep(1)
    # the whole page, not just the window: size the window to the app's height
    height = browser.execute_script(
        "return document.querySelector('[data-testid=\"stMain\"]').scrollHeight"
    )
    browser.set_window_size(1400, min(max(int(height) + 100, 1000), 2000))
    time.sleep(1)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "review.png"
    assert browser.save_screenshot(str(shot))
    assert highlighted, "no cited text highlighted"
    if os.environ.get("LEGAL_ORCH_UPDATE_SCREENSHOT"):  # only a passing run is the README's picture
        shutil.copy(shot, ROOT / "docs" / "ui.png")
