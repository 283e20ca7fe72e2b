"""The interactive demo's server, through real HTTP on a free loopback port."""

import http.client
import json
import subprocess
import sys
import threading

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklinear_sgd import SoftmaxClassifier, SVMClassifier
from sklinear_sgd.demo import make_server
from sklinear_sgd.demo import server as demo_server
from sklinear_sgd.demo.server import (
    DEFAULT_SETTINGS,
    LOSSES,
    MAX_POINTS,
    Session,
    estimator_params,
    make_preset,
    per_sample_losses,
)
from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.optimizers import OPTIMIZERS, GradientDescent


@pytest.fixture(scope="module")
def server():
    """A demo server on a free loopback port, serving from a thread."""
    srv = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def request(server, method, path, body=None, headers=None, raw=None):
    """Send one request; return the status and the decoded JSON (or the bytes)."""
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=30)
    data = (
        raw
        if raw is not None
        else (None if body is None else json.dumps(body).encode())
    )
    all_headers = {"Content-Type": "application/json"} if data is not None else {}
    all_headers.update(headers or {})
    conn.request(method, path, body=data, headers=all_headers)
    response = conn.getresponse()
    payload = response.read()
    conn.close()
    if response.getheader("Content-Type") == "application/json":
        return response.status, json.loads(payload)
    return response.status, payload


def post(server, path, body, expect=200):
    status, data = request(server, "POST", path, body)
    assert status == expect, data
    return data


def new_session(server, **body):
    return post(server, "/api/session", {"seed": 0, **body})


# -- the page ---------------------------------------------------------------------


def test_page_and_its_files_are_served_and_load_nothing_from_outside(server):
    status, html = request(server, "GET", "/")
    assert status == 200 and b'<canvas id="plot"' in html
    files = (("/demo.js", "javascript"), ("/demo.css", "css"), ("/favicon.svg", "svg"))
    for path, kind in files:
        conn = http.client.HTTPConnection(*server.server_address[:2], timeout=30)
        conn.request("GET", path)
        response = conn.getresponse()
        # What could make the browser fetch something (an SVG's namespace does not).
        text = response.read().replace(b'xmlns="http://www.w3.org/2000/svg"', b"")
        assert response.status == 200 and kind in response.getheader("Content-Type")
        assert b"http://" not in text and b"https://" not in text
        conn.close()
    assert b"http://" not in html and b"https://" not in html


@pytest.mark.parametrize(
    "path",
    [
        "/../server.py",
        "/static/../server.py",
        "/%2e%2e/%2e%2e/pyproject.toml",
        "//etc/passwd",
        "/demo.js/../../__init__.py",
        "/server.py",
        "/static/demo.js",
    ],
)
def test_no_file_beyond_the_shipped_ones(server, path):
    status, data = request(server, "GET", path)
    assert status == 404
    assert "No such page" in data["error"]


def test_options_name_every_optimizer_of_the_package(server):
    status, data = request(server, "GET", "/api/options")
    assert status == 200
    assert data["optimizers"] == list(OPTIMIZERS)
    assert data["losses"] == ["svm", "softmax"]
    assert data["limits"]["points"] == MAX_POINTS


def test_host_header_must_name_the_server(server):
    status, data = request(server, "GET", "/", headers={"Host": "attacker.example:80"})
    assert status == 400 and "Host" in data["error"]


# -- training ---------------------------------------------------------------------


@pytest.mark.parametrize("loss", ["svm", "softmax"])
@pytest.mark.parametrize("optimizer", ["gd", "sgd"])
def test_a_step_lowers_the_loss_on_a_separable_preset(server, loss, optimizer):
    view = new_session(server, preset="separable")
    view = post(
        server,
        "/api/config",
        {"session": view["session"], "loss": loss, "optimizer": optimizer},
    )
    before = view["objective"]
    assert view["curve"] == [before] and view["steps"] == 0
    after = post(server, "/api/step", {"session": view["session"]})
    assert after["steps"] == 1
    assert after["objective"] < before
    assert after["curve"] == [before, after["objective"]]
    assert after["coef"] != view["coef"]


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_takes_steps(server, name):
    view = new_session(server)
    view = post(
        server,
        "/api/config",
        {"session": view["session"], "loss": "softmax", "optimizer": name},
    )
    after = post(server, "/api/step", {"session": view["session"], "steps": 5})
    assert after["steps"] == 5 and len(after["curve"]) == 6
    assert np.isfinite(after["objective"])
    assert after["objective"] <= view["objective"]
    assert after["settings"]["optimizer"] == name


def test_numbers_are_the_estimators(server):
    """The objective, the per-point losses and the regions agree with a model
    built from the returned weights."""
    view = new_session(server, preset="overlapping")
    sid = view["session"]
    post(server, "/api/config", {"session": sid, "alpha": 0.1, "margin": 2.0})
    view = post(server, "/api/step", {"session": sid, "steps": 3})
    X, y = make_preset("overlapping")
    clf = SVMClassifier(margin=2.0, alpha=0.1).fit(
        X, y
    )  # then given the demo's weights
    clf.coef_, clf.intercept_ = np.array(view["coef"]), np.array(view["intercept"])
    assert_allclose(view["objective"], clf.objective(X, y), rtol=1e-12)
    scores = clf.decision_function(X)
    assert_allclose(view["points"]["scores"], scores, rtol=1e-12)
    losses = MulticlassHinge(margin=2.0).loss(scores, y)
    assert_allclose(np.mean(view["points"]["loss"]), losses, rtol=1e-12)
    assert_allclose(view["data_loss"] + view["penalty"], view["objective"], rtol=1e-12)
    assert view["accuracy"] == pytest.approx(clf.score(X, y))
    assert view["points"]["predicted"] == clf.predict(X).tolist()
    terms = np.array(view["points"]["terms"], dtype=float)  # None -> nan
    assert np.isnan(terms[np.arange(len(y)), y]).all()
    assert_allclose(np.nansum(terms, axis=1), view["points"]["loss"], rtol=1e-12)
    # Each region is where predict gives its class.
    limit = view["regions"]["limit"]
    axis = np.linspace(-limit, limit, 81)
    gx, gy = np.meshgrid(axis, axis)
    grid = np.c_[gx.ravel(), gy.ravel()]
    found = regions_at(view, grid)
    clear = found >= 0  # not on a boundary
    assert clear.mean() > 0.95
    assert (found[clear] == clf.predict(grid)[clear]).all()


def regions_at(view, points, tol=1e-9):
    """The class whose polygon holds each point strictly inside; -1 on an edge."""
    found = np.full(len(points), -1)
    for k, polygon in enumerate(view["regions"]["polygons"]):
        if not polygon:
            continue
        P = np.array(polygon)
        edges = np.roll(P, -1, axis=0) - P
        rel = points[:, None, :] - P[None, :, :]
        cross = edges[None, :, 0] * rel[:, :, 1] - edges[None, :, 1] * rel[:, :, 0]
        inside = (cross > tol).all(axis=1)
        assert (found[inside] == -1).all(), "regions overlap"
        found[inside] = k
    return found


def polygon_area(polygon):
    if not polygon:
        return 0.0
    x, y = np.array(polygon).T
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))


@pytest.mark.parametrize("seed", range(20))
def test_decision_regions_tile_the_square_as_predict_does(seed):
    rng = np.random.RandomState(seed)
    coef, intercept = rng.randn(3, 2), rng.randn(3)
    if seed == 0:  # identical rows tie: the lower class wins, as in predict
        coef[2], intercept[2] = coef[1], intercept[1]
    if seed == 1:  # a class that wins nowhere
        coef[0], intercept[0] = 0.0, -100.0
    polygons = demo_server.decision_regions(coef, intercept)
    areas = [polygon_area(p) for p in polygons]
    assert min(areas) >= 0 and sum(areas) == pytest.approx(100.0)
    clf = SVMClassifier().fit(*make_preset("few"))
    clf.coef_, clf.intercept_ = coef, intercept
    points = rng.uniform(-5, 5, (2000, 2))
    found = regions_at({"regions": {"polygons": polygons}}, points)
    clear = found >= 0
    assert clear.mean() > 0.98
    assert (found[clear] == clf.predict(points)[clear]).all()
    if seed == 0:
        assert polygons[2] == []
    if seed == 1:
        assert polygons[0] == []


def test_softmax_view_carries_probabilities(server):
    view = new_session(server)
    view = post(server, "/api/config", {"session": view["session"], "loss": "softmax"})
    proba = np.array(view["points"]["proba"])
    assert_allclose(proba.sum(axis=1), 1.0)
    X, y = make_preset("separable")
    clf = SoftmaxClassifier().fit(X, y)
    clf.coef_, clf.intercept_ = np.array(view["coef"]), np.array(view["intercept"])
    assert_allclose(proba, clf.predict_proba(X), rtol=1e-12)


@pytest.mark.parametrize("loss", [MulticlassHinge(margin=1.5), SoftmaxCrossEntropy()])
def test_per_sample_losses_are_each_rows_loss(loss):
    rng = np.random.RandomState(0)
    scores, y = 3 * rng.randn(40, 3), rng.randint(0, 3, 40)
    expected = [loss.loss(scores[i : i + 1], y[i : i + 1]) for i in range(40)]
    assert_allclose(per_sample_losses(loss, scores, y), expected, rtol=1e-12)


def test_edited_weights_move_the_regions_and_training_resumes_from_them(server):
    sid = new_session(server)["session"]
    view = post(
        server,
        "/api/weights",
        {"session": sid, "coef": [[0, 0], [0, 0], [0, 0]], "intercept": [0, 0, 5]},
    )
    polygons = view["regions"]["polygons"]
    assert polygons[0] == polygons[1] == [] and polygon_area(polygons[2]) == 100
    assert view["curve"] == [view["objective"]]
    view = post(
        server,
        "/api/weights",
        {"session": sid, "coef": [[-1, 0], [1, 0], [0, 1]], "intercept": [0, 0, 0]},
    )
    found = regions_at(view, np.array([[-4.0, 0.0], [4.0, 0.0], [0.0, 4.0]]))
    assert found.tolist() == [0, 1, 2]
    post(
        server,
        "/api/config",
        {"session": sid, "optimizer": "gd", "learning_rate": 1e-6},
    )
    after = post(server, "/api/step", {"session": sid})
    # A tiny step from the typed weights stays next to them, once centred
    # across classes as the optimizers keep them (the regions do not change).
    typed = np.array([[-1, 0], [1, 0], [0, 1]])
    assert_allclose(after["coef"], typed - typed.mean(axis=0), atol=1e-3)


def test_points_and_presets(server):
    sid = new_session(server, preset="empty")["session"]
    view = post(server, "/api/state", {"session": sid})
    assert (
        view["objective"] is None and view["curve"] == [] and view["points"]["x"] == []
    )
    status, data = request(server, "POST", "/api/step", {"session": sid})
    assert status == 400 and "no points" in data["error"]
    view = post(server, "/api/points", {"session": sid, "x": 1.5, "y": -2, "label": 2})
    assert view["points"]["label"] == [2] and view["points"]["x"] == [1.5]
    view = post(server, "/api/step", {"session": sid})  # one class present: still fine
    assert view["steps"] == 1
    view = post(server, "/api/reset", {"session": sid, "preset": "few"})
    assert len(view["points"]["x"]) == 6 and view["preset"] == "few"


def test_randomize_draws_new_weights(server):
    view = new_session(server)
    again = post(server, "/api/randomize", {"session": view["session"]})
    assert again["coef"] != view["coef"]
    assert_allclose(np.sum(again["coef"], axis=0), 0, atol=1e-12)


# -- every change starts the optimizer afresh -------------------------------------


def run_steps(session, n):
    while n > 0:
        session.step({"steps": min(n, demo_server.MAX_STEPS)})
        n -= min(n, demo_server.MAX_STEPS)


@pytest.mark.parametrize("before", [0, 47, 77, 300])
def test_a_new_preset_and_new_weights_learn_as_a_fresh_start(before):
    """The issue's table: preset 'overlapping', new random weights, 20 GD steps.

    The steps run before the change used to shrink the rate of the next ones
    (after 77 steps the objective stayed at 2.024); now every row is the
    fresh start's, and the step counter starts again.
    """
    session = Session("separable", seed=0)
    run_steps(session, before)
    assert session.view("s")["steps"] == before
    session.reset({"preset": "overlapping"})
    session.randomize({})
    start = session.view("s")
    assert start["steps"] == 0 and start["curve"] == [start["objective"]]
    assert start["objective"] == pytest.approx(2.024, abs=5e-4)
    session.step({"steps": 20})
    end = session.view("s")
    assert end["steps"] == 20 and end["curve_start"] == 0 and len(end["curve"]) == 21
    assert end["objective"] == pytest.approx(0.7797, abs=5e-4)
    assert end["accuracy"] == pytest.approx(66 / 90)
    # Exactly what a new fit of 20 iterations from the same weights gives.
    X, y = make_preset("overlapping")
    reference = SVMClassifier(**estimator_params(DEFAULT_SETTINGS)).set_params(
        max_iter=20
    ).fit(X, y, coef_init=start["coef"], intercept_init=start["intercept"])
    assert_allclose(end["coef"], reference.coef_, rtol=1e-12, atol=1e-15)
    assert_allclose(end["curve"][1:], reference.loss_curve_, rtol=1e-12)


CHANGES = {
    "preset": lambda s: s.reset({"preset": "overlapping"}),
    "same preset again": lambda s: s.reset({}),
    "added point": lambda s: s.add_point({"x": 0.5, "y": 0.5, "label": 1}),
    "removed point": lambda s: s.remove_point({"index": 3}),
    "moved point": lambda s: s.move_point({"index": 3, "x": 1.0, "y": -1.0}),
    "random weights": lambda s: s.randomize({}),
    "typed weights": lambda s: s.set_weights(
        {"coef": [[1, 0], [0, 1], [-1, -1]], "intercept": [0.5, 0, -0.5]}
    ),
    "alpha": lambda s: s.configure({"alpha": 0.01}),
    "learning rate": lambda s: s.configure({"learning_rate": 0.5}),
    "batch size": lambda s: s.configure({"batch_size": 8}),
    "margin": lambda s: s.configure({"margin": 2.0}),
    "loss": lambda s: s.configure({"loss": "softmax"}),
    "optimizer": lambda s: s.configure({"optimizer": "adagrad"}),
}


def fresh_copy(session):
    """A new session holding what ``session`` shows, never stepped."""
    other = Session("empty", seed=1)
    other.configure(dict(session.settings))
    other.X, other.y = session.X.copy(), session.y.copy()
    other.set_weights(
        {
            "coef": session.estimator.coef_.tolist(),
            "intercept": session.estimator.intercept_.tolist(),
        }
    )
    return other


@pytest.mark.parametrize("optimizer", ["gd", "sgd", "adam", "lbfgs", "random_search"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_every_change_starts_the_optimizer_afresh(change, optimizer):
    session = Session("separable", seed=0)
    session.configure({"optimizer": optimizer})
    run_steps(session, 60)
    CHANGES[change](session)
    view = session.view("s")
    assert view["steps"] == 0 and view["curve_start"] == 0
    assert view["curve"] == [view["objective"]]
    fresh = fresh_copy(session)
    assert fresh.view("s")["coef"] == view["coef"]
    for s in (session, fresh):
        s.step({"steps": 10})
    changed, new = session.view("s"), fresh.view("s")
    assert changed["steps"] == 10
    assert_allclose(changed["coef"], new["coef"], rtol=1e-12, atol=1e-15)
    assert_allclose(changed["curve"], new["curve"], rtol=1e-12)


@pytest.mark.parametrize("loss", ["svm", "softmax"])
@pytest.mark.parametrize(
    "optimizer",
    ["random_local_search", "gd", "sgd", "adam", "rmsprop", "adagrad", "svrg"],
)
def test_steps_after_a_change_are_a_new_fit(loss, optimizer):
    """k steps after a change give what fit(max_iter=k) from the same weights
    gives, to the last digits."""
    session = Session("overlapping", seed=3)
    session.configure({"loss": loss, "optimizer": optimizer, "batch_size": 8})
    run_steps(session, 60)
    session.add_point({"x": 4.0, "y": 4.0, "label": 0})
    W, b = session.estimator.coef_.copy(), session.estimator.intercept_.copy()
    session.step({"steps": 15})
    reference = LOSSES[loss](**estimator_params(session.settings))
    reference.set_params(max_iter=15).fit(
        session.X, session.y, coef_init=W, intercept_init=b
    )
    assert_allclose(session.estimator.coef_, reference.coef_, rtol=1e-12, atol=1e-15)
    assert session.steps == 15 == reference.n_iter_


def test_a_missing_class_is_declared_with_no_weight():
    """With points of one class only, a fresh start trains the three-class
    model as a first partial_fit declaring the classes would."""
    session = Session("empty", seed=0)
    session.set_weights({"coef": [[0, 0]] * 3, "intercept": [0, 0, 0]})
    for x, y in [(1.0, 2.0), (-1.5, 0.5), (0.2, -3.0)]:
        session.add_point({"x": x, "y": y, "label": 2})
    session.add_point({"x": 3.0, "y": 3.0, "label": 0})
    session.step({"steps": 5})
    reference = SVMClassifier(**estimator_params(DEFAULT_SETTINGS))
    for _ in range(5):
        reference.partial_fit(session.X, session.y, classes=[0, 1, 2])
    assert_allclose(session.estimator.coef_, reference.coef_, rtol=1e-12, atol=1e-15)
    assert session.estimator.coef_.shape == (3, 2)


def test_a_config_that_changes_nothing_keeps_the_run(server):
    sid = new_session(server)["session"]
    view = post(server, "/api/step", {"session": sid, "steps": 4})
    again = post(server, "/api/config", {"session": sid, **view["settings"]})
    assert again == view
    third = post(server, "/api/step", {"session": sid, "steps": 1})
    assert third["steps"] == 5 and third["curve"][:5] == view["curve"]


def test_points_are_removed_and_moved(server):
    sid = new_session(server, preset="few")["session"]
    view = post(server, "/api/step", {"session": sid, "steps": 3})
    X, y = make_preset("few")
    view = post(server, "/api/points/remove", {"session": sid, "index": 1})
    assert view["points"]["x"] == np.delete(X[:, 0], 1).tolist()
    assert view["points"]["label"] == np.delete(y, 1).tolist()
    assert view["steps"] == 0
    view = post(server, "/api/step", {"session": sid, "steps": 2})
    view = post(
        server, "/api/points/move", {"session": sid, "index": 0, "x": 4.5, "y": -5}
    )
    assert view["points"]["x"][0] == 4.5 and view["points"]["y"][0] == -5
    assert view["points"]["label"][0] == y[0] and view["steps"] == 0
    status, data = request(
        server, "POST", "/api/points/remove", {"session": sid, "index": 5}
    )
    assert status == 400 and "'index' must be an integer in [0, 4]" in data["error"]
    empty = new_session(server, preset="empty")["session"]
    status, data = request(
        server, "POST", "/api/points/move",
        {"session": empty, "index": 0, "x": 0, "y": 0},
    )
    assert status == 400 and "no points" in data["error"]


def test_the_view_has_each_points_loss_terms(server):
    sid = new_session(server, preset="overlapping")["session"]
    view = post(server, "/api/config", {"session": sid, "margin": 1.5})
    scores, y = np.array(view["points"]["scores"]), np.array(view["points"]["label"])
    terms = np.array(view["points"]["terms"], dtype=float)
    for j in range(3):
        other = y != j
        expected = np.maximum(0, scores[other, j] - scores[other, y[other]] + 1.5)
        assert_allclose(terms[other, j], expected, rtol=1e-12, atol=1e-15)
    assert "proba" not in view["points"]
    view = post(server, "/api/config", {"session": sid, "loss": "softmax"})
    proba = np.array(view["points"]["proba"])
    assert "terms" not in view["points"]
    assert_allclose(-np.log(proba[np.arange(len(y)), y]), view["points"]["loss"])


class SmoothOnly(GradientDescent):
    """Gradient descent that refuses a loss with kinks, as an optimizer may."""

    def iterate(self, objective, params, state, max_iter):
        if not objective.smooth_loss:
            raise ValueError("SmoothOnly needs a differentiable loss.")
        return super().iterate(objective, params, state, max_iter)


def test_options_say_which_optimizers_cannot_run_with_a_loss(server, monkeypatch):
    status, data = request(server, "GET", "/api/options")
    # The package runs every optimizer with both losses today.
    assert data["unavailable"] == {"svm": {}, "softmax": {}}
    for name in OPTIMIZERS:
        params = OPTIMIZERS[name]().get_params()
        assert (name in data["takes_learning_rate"]) == ("learning_rate" in params)
        assert (name in data["takes_batch_size"]) == ("batch_size" in params)
    # One that cannot is found by trying, and refused with the package's reason.
    monkeypatch.setitem(OPTIMIZERS, "smooth_only", SmoothOnly)
    status, data = request(server, "GET", "/api/options")
    assert data["unavailable"] == {
        "svm": {"smooth_only": "SmoothOnly needs a differentiable loss."},
        "softmax": {},
    }
    sid = new_session(server)["session"]
    before = post(server, "/api/state", {"session": sid})
    status, data = request(
        server, "POST", "/api/config", {"session": sid, "optimizer": "smooth_only"}
    )
    assert status == 400
    assert "cannot run with the 'svm' loss: SmoothOnly needs a differentiable" in (
        data["error"]
    )
    assert post(server, "/api/state", {"session": sid}) == before
    view = post(
        server,
        "/api/config",
        {"session": sid, "optimizer": "smooth_only", "loss": "softmax"},
    )
    view = post(server, "/api/step", {"session": sid, "steps": 2})
    assert view["steps"] == 2 and view["objective"] < before["objective"]


# -- bad requests -------------------------------------------------------------------

BAD = [
    ("/api/config", {"optimizer": "newton"}, "optimizer"),
    ("/api/config", {"optimizer": ["sgd"]}, "optimizer"),
    ("/api/config", {"loss": "hinge"}, "loss"),
    ("/api/config", {"learning_rate": -0.1}, "learning_rate"),
    ("/api/config", {"learning_rate": "0.1"}, "learning_rate"),
    ("/api/config", {"learning_rate": 1e9}, "learning_rate"),
    ("/api/config", {"alpha": -1}, "alpha"),
    ("/api/config", {"batch_size": 2.5}, "batch_size"),
    ("/api/config", {"batch_size": 0}, "batch_size"),
    ("/api/config", {"margin": 0}, "margin"),
    ("/api/step", {"steps": True}, "steps"),
    ("/api/step", {"steps": 10_000}, "steps"),
    ("/api/points", {"x": 9, "y": 0, "label": 0}, "'x'"),
    ("/api/points", {"x": 0, "y": 0, "label": 3}, "label"),
    ("/api/points", {"x": 0, "label": 0}, "'y' is missing"),
    (
        "/api/points",
        {"x": "__import__('os')", "y": 0, "label": 0},
        "'x' must be a number",
    ),
    ("/api/weights", {"coef": [[1, 2], [3, 4]], "intercept": [0, 0, 0]}, "shape"),
    (
        "/api/weights",
        {"coef": [[1, 2], [3, 4], [5, "6"]], "intercept": [0, 0, 0]},
        "numbers",
    ),
    (
        "/api/weights",
        {"coef": [[1, 2], [3, 4], [5, 6]], "intercept": [0, 0, 1e9]},
        "finite",
    ),
    ("/api/weights", {"intercept": [0, 0, 0]}, "'coef' is missing"),
    ("/api/reset", {"preset": "../../etc/passwd"}, "preset"),
    ("/api/points/remove", {}, "'index' is missing"),
    ("/api/points/remove", {"index": -1}, "'index' must be an integer in [0, 59]"),
    ("/api/points/remove", {"index": 1.0}, "'index' must be an integer"),
    ("/api/points/move", {"index": 60, "x": 0, "y": 0}, "in [0, 59]"),
    ("/api/points/move", {"index": 0, "x": 0, "y": 5.5}, "'y'"),
]


@pytest.fixture
def session(server):
    """A session with some history, and its view."""
    sid = new_session(server)["session"]
    post(server, "/api/config", {"session": sid, "optimizer": "sgd", "alpha": 0.01})
    return sid, post(server, "/api/step", {"session": sid, "steps": 2})


@pytest.mark.parametrize("path, body, word", BAD)
def test_bad_requests_get_400_with_a_message_and_change_nothing(
    server, session, path, body, word
):
    sid, before = session
    status, data = request(server, "POST", path, {"session": sid, **body})
    assert status == 400
    assert word in data["error"]
    assert post(server, "/api/state", {"session": sid}) == before


@pytest.mark.parametrize(
    "raw, word",
    [
        (b'{"session": "%s", "x": NaN, "y": 0, "label": 0}', "NaN"),
        (b'{"session": "%s", "x": Infinity, "y": 0, "label": 0}', "Infinity"),
        (b'{"session": "%s", "x": 1, ', "not valid JSON"),
        (b'["%s"]', "JSON object"),
        (b"\xff\xfe%s", "not valid JSON"),
    ],
)
def test_malformed_bodies_get_400(server, session, raw, word):
    sid, before = session
    status, data = request(
        server, "POST", "/api/points", raw=raw.replace(b"%s", sid.encode())
    )
    assert status == 400 and word in data["error"]
    assert post(server, "/api/state", {"session": sid}) == before


def test_failed_step_changes_nothing(server, session):
    sid, _ = session
    # A learning rate far too large diverges: refused, without a trace.
    before = post(
        server,
        "/api/config",
        {
            "session": sid,
            "optimizer": "gd",
            "loss": "softmax",
            "learning_rate": 100,
            "alpha": 100,
        },
    )
    status, data = request(server, "POST", "/api/step", {"session": sid, "steps": 50})
    assert status == 400 and "diverged" in data["error"]
    assert post(server, "/api/state", {"session": sid}) == before


def test_wrong_method_type_size_session_and_endpoint(server, session):
    sid, before = session
    status, data = request(
        server, "POST", "/api/step", raw=b"{}", headers={"Content-Type": "text/plain"}
    )
    assert status == 400 and "application/json" in data["error"]
    status, data = request(server, "POST", "/api/step", raw=b" " * (300 * 1024))
    assert status == 413 and "at most" in data["error"]
    status, data = request(server, "POST", "/api/step", {"session": "nope"})
    assert status == 404 and "session" in data["error"]
    status, data = request(server, "POST", "/api/step", {})
    assert status == 400 and "'session' is missing" in data["error"]
    status, data = request(server, "POST", "/api/eval", {"session": sid})
    assert status == 404 and "No such endpoint" in data["error"]
    status, data = request(server, "PUT", "/api/step", {"session": sid})
    assert status == 405
    assert post(server, "/api/state", {"session": sid}) == before


def test_point_cap(server):
    sid = new_session(server)["session"]
    _, session = server.sessions.get({"session": sid})
    with session.lock:  # fill it up directly: two thousand requests would be slow
        session.X, session.y = np.zeros((MAX_POINTS, 2)), np.zeros(
            MAX_POINTS, dtype=int
        )
    status, data = request(
        server, "POST", "/api/points", {"session": sid, "x": 0, "y": 0, "label": 1}
    )
    assert status == 400 and f"at most {MAX_POINTS} points" in data["error"]
    assert (
        len(post(server, "/api/state", {"session": sid})["points"]["x"]) == MAX_POINTS
    )


# -- sessions -------------------------------------------------------------------------


def test_sessions_are_isolated_and_seeded(server):
    a, b = new_session(server), new_session(server)
    assert a["session"] != b["session"] and a["coef"] == b["coef"]  # same seed
    post(server, "/api/step", {"session": a["session"], "steps": 3})
    post(server, "/api/points", {"session": a["session"], "x": 0, "y": 0, "label": 0})
    assert post(server, "/api/state", {"session": b["session"]}) == b


def test_sessions_are_bounded_and_the_least_recently_used_goes(monkeypatch):
    srv = make_server("127.0.0.1", 0)
    monkeypatch.setattr(srv.sessions, "capacity", 3)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        ids = [new_session(srv)["session"] for _ in range(3)]
        post(srv, "/api/state", {"session": ids[0]})  # now the most recently used
        ids.append(new_session(srv)["session"])
        assert len(srv.sessions) == 3
        status, _ = request(srv, "POST", "/api/state", {"session": ids[1]})
        assert status == 404
        for sid in (ids[0], ids[2], ids[3]):
            post(srv, "/api/state", {"session": sid})
    finally:
        srv.shutdown()
        srv.server_close()


def test_concurrent_requests_on_one_session_all_count(server):
    sid = new_session(server)["session"]
    post(server, "/api/config", {"session": sid, "optimizer": "sgd"})
    threads = [
        threading.Thread(target=post, args=(server, "/api/step", {"session": sid}))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    view = post(server, "/api/state", {"session": sid})
    assert view["steps"] == 6 and len(view["curve"]) == 7


# -- the command --------------------------------------------------------------------


def test_command_line_starts_a_loopback_server_and_prints_its_address():
    proc = subprocess.Popen(
        [sys.executable, "-m", "sklinear_sgd", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        assert line.startswith("sklinear_sgd demo at http://127.0.0.1:")
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        proc.terminate()
        proc.communicate(timeout=30)  # waits, and closes the pipes


def test_command_line_warns_off_loopback_and_checks_the_port(capsys):
    from sklinear_sgd.__main__ import main

    assert not demo_server._is_loopback("0.0.0.0")
    assert demo_server._is_loopback("127.0.0.1") and demo_server._is_loopback("::1")
    with pytest.raises(SystemExit):
        main(["demo", "--port", "70000"])
    assert "--port must be in [0, 65535]" in capsys.readouterr().err
    proc = subprocess.Popen(
        [sys.executable, "-m", "sklinear_sgd", "demo", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout.readline().startswith("sklinear_sgd demo at http://0.0.0.0:")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert "Warning: serving on 0.0.0.0, not on loopback" in err
