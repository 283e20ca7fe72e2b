"""The demo page in a real browser: headless Chromium driven by Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them)
and ``selenium`` (in the ``tests`` extra). With the environment variable
``SKLINEAR_SGD_DEMO_SCREENSHOT`` set to a path, the screenshot is also saved
there: ``docs/_static/demo.png`` is made by

    SKLINEAR_SGD_DEMO_SCREENSHOT=docs/_static/demo.png python -m pytest tests/test_demo_browser.py
"""

import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest

from sklinear_sgd.demo import make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    if os.environ.get("CI"):  # .ci/run installs them: a skip there would hide it
        raise RuntimeError("CI needs /usr/bin/chromium and /usr/bin/chromedriver")
    pytest.skip(
        "Chromium is not installed: apt-get install chromium chromium-driver",
        allow_module_level=True,
    )
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1240,840",
    "--force-device-scale-factor=1",
]


@pytest.fixture(scope="module")
def server():
    srv = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def text(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def open_page(driver, url):
    """Load the page; wait until it has drawn its first view or shown an error."""
    driver.get(url)
    WebDriverWait(driver, 60).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready")
        or text(d, "message")
    )
    errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert text(driver, "message") == "" and not errors, (
        text(driver, "message"),
        errors,
    )


def test_steps_in_the_browser_lower_the_loss(server, browser, tmp_path):
    wait = WebDriverWait(browser, 30)
    open_page(browser, server.url + "?seed=1")
    assert text(browser, "message") == ""
    assert text(browser, "steps") == "0"
    before = float(text(browser, "objective"))
    assert before > 0

    for k in range(1, 4):
        browser.find_element(By.ID, "step").click()
        wait.until(lambda d, k=k: text(d, "steps") == str(k))
    after = float(text(browser, "objective"))
    assert after < before
    assert text(browser, "message") == ""

    # The table holds the weights the server sent; hovering a point shows its loss.
    assert browser.find_element(By.ID, "w-0-0").get_attribute("value") != ""
    plot = browser.find_element(By.ID, "plot")
    x, y = browser.execute_script(
        "const c = document.getElementById('plot');" "return [c.width, c.height];"
    )
    # The first point of the 'separable' preset, found through the page's data.
    point = browser.execute_script(
        "return fetch('/api/state', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify({session: document.body.dataset.session})})"
        ".then(r => r.json()).then(v => [v.points.x[0], v.points.y[0]]);"
    )
    px = (point[0] + 5) / 10 * x - x / 2
    py = (5 - point[1]) / 10 * y - y / 2
    ActionChains(browser).move_to_element_with_offset(
        plot, round(px), round(py)
    ).perform()
    wait.until(lambda d: d.find_element(By.ID, "tooltip").is_displayed())
    assert "loss" in text(browser, "tooltip")

    path = tmp_path / "demo.png"
    assert browser.save_screenshot(str(path))
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    target = os.environ.get("SKLINEAR_SGD_DEMO_SCREENSHOT")
    if target:
        Path(target).write_bytes(data)


def test_editing_a_weight_moves_the_regions(server, browser):
    wait = WebDriverWait(browser, 30)
    open_page(browser, server.url)
    before = browser.execute_script(
        "return document.getElementById('plot').toDataURL();"
    )
    cell = browser.find_element(By.ID, "b-2")
    cell.clear()
    cell.send_keys("50")
    wait.until(
        lambda d: d.execute_script(
            "return document.getElementById('plot').toDataURL();"
        )
        != before
    )
    assert text(browser, "message") == ""


def test_run_pause_and_errors_on_the_page(server, browser):
    wait = WebDriverWait(browser, 30)
    open_page(browser, server.url)
    run = browser.find_element(By.ID, "run")
    run.click()
    wait.until(lambda d: int(text(d, "steps")) >= 5)
    run.click()
    assert run.text == "Run"
    wait.until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-pending")
        == "0"
    )
    stopped = text(browser, "steps")
    browser.find_element(By.ID, "step").click()  # queued after the last running step
    wait.until(lambda d: int(text(d, "steps")) == int(stopped) + 1)
    # L-BFGS trains the hinge loss too (through its smoothing): a step counts.
    Select(browser.find_element(By.ID, "optimizer")).select_by_value("lbfgs")
    browser.find_element(By.ID, "step").click()
    wait.until(lambda d: int(text(d, "steps")) == int(stopped) + 2)
