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

from sklinear_sgd import SVMClassifier
from sklinear_sgd.demo import make_server
from sklinear_sgd.demo.server import estimator_params, make_preset
from sklinear_sgd.optimizers import OPTIMIZERS, GradientDescent

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
# selenium's other modules only after the importorskip above (E402): without
# selenium the module skips instead of failing at import.
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
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
    # A new optimizer starts afresh, the step counter too; L-BFGS trains the
    # hinge loss (through its smoothing): a step counts.
    Select(browser.find_element(By.ID, "optimizer")).select_by_value("lbfgs")
    wait.until(lambda d: text(d, "steps") == "0")
    browser.find_element(By.ID, "step").click()
    wait.until(lambda d: text(d, "steps") == "1")
    assert text(browser, "message") == ""


# -- changes start the optimizer afresh ------------------------------------------------


def severe_errors(driver):
    """The browser's console errors since the last call (a script error, a
    failed request)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def state(driver):
    """The session's view, as the server has it (exact numbers)."""
    return driver.execute_script(
        "return fetch('/api/state', {method: 'POST', headers: {'Content-Type': "
        "'application/json'}, body: JSON.stringify("
        "{session: document.body.dataset.session})}).then(r => r.json());"
    )


def settle(driver):
    WebDriverWait(driver, 60).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-pending")
        == "0"
    )


def run_until(driver, steps):
    run = driver.find_element(By.ID, "run")
    run.click()
    WebDriverWait(driver, 120).until(lambda d: int(text(d, "steps")) >= steps)
    run.click()
    assert run.text == "Run"
    settle(driver)


def test_a_long_run_then_a_new_preset_learns_afresh(server, browser):
    """Run long, change the preset, run again: the step counter starts at 0
    and the objective falls as in a new fit from the weights of the change
    (it stalled when the old schedule went on)."""
    open_page(browser, server.url + "?seed=2")
    run_until(browser, 100)
    long_run = state(browser)
    assert long_run["steps"] >= 100 and long_run["preset"] == "separable"

    Select(browser.find_element(By.ID, "preset")).select_by_value("overlapping")
    WebDriverWait(browser, 30).until(lambda d: text(d, "steps") == "0")
    settle(browser)
    start = state(browser)
    assert start["preset"] == "overlapping" and start["steps"] == 0
    assert start["coef"] == long_run["coef"]  # the weights carry over
    assert start["curve"] == [start["objective"]] and start["curve_start"] == 0

    run_until(browser, 20)
    end = state(browser)
    n = end["steps"]
    assert 20 <= n < long_run["steps"] and text(browser, "steps") == str(n)
    assert end["curve_start"] == 0 and len(end["curve"]) == n + 1
    assert end["objective"] < 0.6 * start["objective"]
    X, y = make_preset("overlapping")
    fresh = SVMClassifier(**estimator_params(end["settings"])).set_params(max_iter=n)
    fresh.fit(X, y, coef_init=start["coef"], intercept_init=start["intercept"])
    assert end["objective"] == pytest.approx(fresh.objective(X, y), rel=1e-9)
    assert text(browser, "message") == ""


# -- points: add, drag, remove ---------------------------------------------------------


def plot_offset(driver, x, y):
    """The offset from the plot's centre of the plane's point (x, y), in CSS pixels."""
    width, height = driver.execute_script(
        "const c = document.getElementById('plot'); return [c.width, c.height];"
    )
    return (
        round((x + 5) / 10 * width - width / 2),
        round((5 - y) / 10 * height - height / 2),
    )


def test_points_are_added_dragged_and_removed(server, browser):
    wait = WebDriverWait(browser, 30)
    open_page(browser, server.url)
    Select(browser.find_element(By.ID, "preset")).select_by_value("few")
    wait.until(lambda d: text(d, "n-points") == "6")
    settle(browser)
    browser.find_element(By.ID, "step").click()
    wait.until(lambda d: text(d, "steps") == "1")
    plot = browser.find_element(By.ID, "plot")
    before = state(browser)

    # A click on empty space adds a point of the chosen class.
    browser.find_element(By.CSS_SELECTOR, 'input[name="label"][value="1"]').click()
    ActionChains(browser).move_to_element_with_offset(
        plot, *plot_offset(browser, -4.0, 4.0)
    ).click().perform()
    wait.until(lambda d: text(d, "n-points") == "7")
    settle(browser)
    added = state(browser)
    assert added["points"]["label"][-1] == 1 and added["steps"] == 0
    assert added["points"]["x"][-1] == pytest.approx(-4.0, abs=0.05)
    assert added["points"]["y"][-1] == pytest.approx(4.0, abs=0.05)

    # Dragging a point moves it (and only it); the optimizer starts afresh.
    x0, y0 = before["points"]["x"][0], before["points"]["y"][0]
    ActionChains(browser).move_to_element_with_offset(
        plot, *plot_offset(browser, x0, y0)
    ).click_and_hold().move_by_offset(20, 0).move_by_offset(32, -26).release().perform()
    settle(browser)
    moved = state(browser)
    assert len(moved["points"]["x"]) == 7
    assert moved["points"]["x"][0] == pytest.approx(x0 + 1.0, abs=0.05)
    assert moved["points"]["y"][0] == pytest.approx(y0 + 0.5, abs=0.05)
    assert moved["points"]["x"][1:] == added["points"]["x"][1:]
    assert moved["points"]["label"] == added["points"]["label"]

    # Shift-click removes a point; so does a click in delete mode.
    x1, y1 = moved["points"]["x"][1], moved["points"]["y"][1]
    ActionChains(browser).move_to_element_with_offset(
        plot, *plot_offset(browser, x1, y1)
    ).key_down(Keys.SHIFT).click().key_up(Keys.SHIFT).perform()
    wait.until(lambda d: text(d, "n-points") == "6")
    settle(browser)
    removed = state(browser)
    xs = moved["points"]["x"]
    assert removed["points"]["x"] == [xs[0]] + xs[2:]
    browser.find_element(By.ID, "delete-mode").click()
    ActionChains(browser).move_to_element_with_offset(
        plot,
        *plot_offset(browser, removed["points"]["x"][0], removed["points"]["y"][0]),
    ).click().perform()
    wait.until(lambda d: text(d, "n-points") == "5")
    ActionChains(browser).move_to_element_with_offset(  # empty space: nothing
        plot, *plot_offset(browser, 4.5, -4.5)
    ).click().perform()
    settle(browser)
    assert state(browser)["points"]["x"] == removed["points"]["x"][1:]
    browser.find_element(By.ID, "delete-mode").click()
    assert text(browser, "message") == "" and text(browser, "steps") == "0"
    assert severe_errors(browser) == []


# -- the per-point table ------------------------------------------------------------


def table_rows(driver):
    return driver.execute_script(
        "return [...document.querySelectorAll('#point-table tbody tr')]"
        ".map(r => [...r.cells].map(c => c.textContent));"
    )


def test_the_per_point_table_shows_the_servers_numbers(server, browser):
    wait = WebDriverWait(browser, 30)
    open_page(browser, server.url + "?seed=3")
    assert not browser.find_element(By.ID, "point-table").is_displayed()
    browser.find_element(By.CSS_SELECTOR, "#point-details summary").click()
    wait.until(lambda d: len(table_rows(d)) == 60)
    view = state(browser)
    rows = table_rows(browser)
    header = browser.find_element(By.CSS_SELECTOR, "#point-table thead").text
    assert "max(0, s" in header and "L" in header
    for i in (0, 17, 59):
        row = rows[i]
        assert row[0] == str(i) and row[3] == str(view["points"]["label"][i])
        assert float(row[1]) == pytest.approx(view["points"]["x"][i], abs=5e-3)
        scores = [float(v) for v in row[4:7]]
        assert scores == pytest.approx(view["points"]["scores"][i], rel=1e-3, abs=1e-3)
        terms = view["points"]["terms"][i]
        for shown, term in zip(row[7:10], terms):
            if term is None:
                assert shown == "\u2013"
            else:
                assert float(shown) == pytest.approx(term, rel=1e-3, abs=1e-3)
        assert float(row[10]) == pytest.approx(view["points"]["loss"][i], rel=1e-3)
    foot = browser.find_element(By.CSS_SELECTOR, "#point-table tfoot")
    assert "data loss" in foot.text

    # It follows the steps and the loss.
    browser.find_element(By.ID, "step").click()
    wait.until(lambda d: text(d, "steps") == "1")
    settle(browser)
    stepped = state(browser)
    assert float(table_rows(browser)[0][10]) == pytest.approx(
        stepped["points"]["loss"][0], rel=1e-3, abs=1e-4
    )
    Select(browser.find_element(By.ID, "loss")).select_by_value("softmax")
    head = browser.find_element(By.CSS_SELECTOR, "#point-table thead")
    wait.until(lambda d: "p0" in head.text)
    settle(browser)
    soft = state(browser)
    row = table_rows(browser)[5]
    assert [float(v) for v in row[7:10]] == pytest.approx(
        soft["points"]["proba"][5], abs=1e-3
    )
    assert severe_errors(browser) == []
    browser.find_element(By.CSS_SELECTOR, "#point-details summary").click()


# -- the regions' edges ----------------------------------------------------------------


def test_region_edges_have_no_staircase(server, browser):
    """Along a slanted boundary, each column of pixels changes class within
    about a pixel of the exact line (the 160-cell grid scaled up to 520
    pixels was off by up to 2.3 pixels: a visible staircase)."""
    wait = WebDriverWait(browser, 30)
    open_page(browser, server.url)
    Select(browser.find_element(By.ID, "preset")).select_by_value("empty")
    wait.until(lambda d: text(d, "n-points") == "0")
    slope = 0.37
    # Class 0 where slope * x - y < 1, class 1 below; class 2 nowhere.
    weights = {"w-0-0": 0, "w-0-1": 0, "b-0": 1, "w-1-0": slope, "w-1-1": -1,
               "b-1": 0, "w-2-0": 0, "w-2-1": 0, "b-2": -100}
    for key, value in weights.items():
        cell = browser.find_element(By.ID, key)
        cell.clear()
        cell.send_keys(str(value))
    wait.until(lambda d: state(d)["intercept"] == [1, 0, -100])
    settle(browser)
    rows = browser.execute_script(
        """
        const c = document.getElementById('plot');
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const near = (i, rgb) => Math.abs(data[i] - rgb[0])
          + Math.abs(data[i + 1] - rgb[1]) + Math.abs(data[i + 2] - rgb[2]) < 12;
        const out = [];
        for (let x = 0; x < c.width; x++) {
          let last0 = -1, first1 = -1;
          for (let y = 0; y < c.height; y++) {
            const i = 4 * (y * c.width + x);
            if (near(i, [253, 208, 162])) last0 = y;
            else if (near(i, [199, 233, 192]) && first1 < 0 && last0 >= 0) first1 = y;
          }
          out.push([last0, first1]);
        }
        return [c.width, c.height, out];
        """
    )
    width, height, columns = rows
    errors = []
    for px, (last0, first1) in enumerate(columns):
        x = (px + 0.5) / width * 10 - 5
        exact = (5 - (slope * x - 1)) / 10 * height  # the boundary, in pixels
        if last0 < 0 or first1 < 0 or first1 - last0 > 3 or abs(exact - height / 2) < 4:
            continue  # an axis or a line crosses the boundary here
        errors.append(abs((last0 + first1 + 1) / 2 - exact))
    assert len(errors) > 0.8 * width
    # Half a pixel of antialiasing, half a pixel of the stroke that hides the
    # seams between regions (the grid's edges were up to 2.3 pixels off).
    assert max(errors) <= 1.25, max(errors)


# -- optimizers that cannot run with a loss --------------------------------------------


class SmoothOnly(GradientDescent):
    """Gradient descent that refuses a loss with kinks, as an optimizer may."""

    def iterate(self, objective, params, state, max_iter):
        if not objective.smooth_loss:
            raise ValueError("SmoothOnly needs a differentiable loss.")
        return super().iterate(objective, params, state, max_iter)


def test_an_optimizer_that_cannot_run_with_the_loss_is_disabled(
    server, browser, monkeypatch
):
    monkeypatch.setitem(OPTIMIZERS, "smooth_only", SmoothOnly)
    wait = WebDriverWait(browser, 30)
    open_page(browser, server.url)

    def option(d):
        return d.find_element(By.CSS_SELECTOR, '#optimizer option[value="smooth_only"]')

    assert not option(browser).is_enabled()
    assert "SmoothOnly needs a differentiable loss." in option(browser).get_attribute(
        "title"
    )
    note = browser.find_element(By.ID, "optimizer-note")
    assert note.is_displayed() and "smooth_only" in note.text and "SVM" in note.text
    assert option(browser).get_attribute("value") != Select(
        browser.find_element(By.ID, "optimizer")
    ).first_selected_option.get_attribute("value")

    Select(browser.find_element(By.ID, "loss")).select_by_value("softmax")
    wait.until(lambda d: option(d).is_enabled())
    assert not note.is_displayed()
    Select(browser.find_element(By.ID, "optimizer")).select_by_value("smooth_only")
    settle(browser)
    browser.find_element(By.ID, "step").click()
    wait.until(lambda d: text(d, "steps") == "1")
    assert state(browser)["settings"]["optimizer"] == "smooth_only"

    # Back to the SVM: the page moves to an optimizer that runs, and says so.
    Select(browser.find_element(By.ID, "loss")).select_by_value("svm")
    wait.until(lambda d: "switched to gd" in text(d, "message"))
    settle(browser)
    view = state(browser)
    assert view["settings"]["loss"] == "svm" and view["settings"]["optimizer"] == "gd"
