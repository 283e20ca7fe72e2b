"""The demo's HTTP server: sessions, request validation, JSON endpoints.

See :mod:`sklinear_sgd.demo` for the endpoint reference. Every number the page
shows is computed here by the estimators' public API (``fit`` with
``coef_init`` and ``intercept_init``, ``partial_fit``, ``decision_function``,
``objective``, ``score``, ``predict``, ``predict_proba``, assignment of
``coef_`` and ``intercept_``) and by :mod:`sklinear_sgd.losses`.

Every change of the problem or of the starting point (points, weights,
settings) starts the optimizer afresh, as a new ``fit`` from the weights shown:
its first step is ``fit(X, y, coef_init=coef_, intercept_init=intercept_)``
with ``max_iter=1``, and the steps after it are ``partial_fit`` calls, which
resume the state (step count, schedule, moments) of that fit.
"""

import argparse
import copy
import ipaddress
import json
import math
import secrets
import sys
import threading
import warnings
import webbrowser
from collections import OrderedDict
from functools import lru_cache, partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning

from .. import SoftmaxClassifier, SVMClassifier
from ..losses import MulticlassHinge, SoftmaxCrossEntropy
from ..optimizers import OPTIMIZERS

__all__ = ["DemoServer", "make_server", "main"]

#: The three classes of the demo's data.
CLASSES = np.array([0, 1, 2])
#: The square of the plane that the page shows, ``[-LIMIT, LIMIT]`` on both axes.
LIMIT = 5.0
#: Most points a session may hold.
MAX_POINTS = 2000
#: Most sessions kept at once; the least recently used one goes first.
MAX_SESSIONS = 64
#: Most steps in one ``/api/step`` request.
MAX_STEPS = 50
#: Most values kept in a session's loss curve (older ones are dropped).
MAX_CURVE = 2000
#: Largest request body accepted, in bytes.
MAX_BODY = 256 * 1024
#: Largest absolute value of an edited weight or bias.
MAX_WEIGHT = 1e3

LOSSES = {"svm": SVMClassifier, "softmax": SoftmaxClassifier}
#: The optimizers that take a learning rate, and those that take a batch size.
TAKES_LEARNING_RATE = ("gd", "sgd", "adam", "rmsprop", "adagrad", "svrg")
TAKES_BATCH_SIZE = ("sgd", "adam", "rmsprop", "adagrad", "svrg")
PRESETS = ("separable", "overlapping", "stripes", "few", "empty")
DEFAULT_SETTINGS = {
    "loss": "svm",
    "optimizer": "gd",
    "learning_rate": None,
    "alpha": 1e-3,
    "batch_size": 16,
    "margin": 1.0,
}
#: The static files the server may send: URL path -> (file name, content type).
STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/demo.css": ("demo.css", "text/css; charset=utf-8"),
    "/demo.js": ("demo.js", "text/javascript; charset=utf-8"),
    "/favicon.svg": ("favicon.svg", "image/svg+xml"),
}


class RequestError(Exception):
    """A request the server refuses, with the HTTP status and the reason."""

    def __init__(self, message, status=HTTPStatus.BAD_REQUEST):
        super().__init__(message)
        self.status = status


# -- validation ------------------------------------------------------------------


def _number(body, key, low, high, *, default=None, required=False, low_open=False):
    """A finite real number in ``[low, high]`` (``(low, high]`` if ``low_open``)."""
    if key not in body or body[key] is None:
        if required:
            raise RequestError(f"'{key}' is missing: give a number.")
        return default
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise RequestError(f"'{key}' must be a number; got {type(value).__name__}.")
    value = float(value)
    too_low = value <= low if low_open else value < low
    if not math.isfinite(value) or too_low or value > high:
        interval = f"{'(' if low_open else '['}{low:g}, {high:g}]"
        raise RequestError(
            f"'{key}' must be a finite number in {interval}; got {value!r}."
        )
    return value


def _integer(body, key, low, high, *, default=None, required=False):
    """An integer in ``[low, high]``."""
    if key not in body or body[key] is None:
        if required:
            raise RequestError(f"'{key}' is missing: give an integer.")
        return default
    value = body[key]
    if isinstance(value, bool) or not isinstance(value, int):
        raise RequestError(f"'{key}' must be an integer; got {type(value).__name__}.")
    if not low <= value <= high:
        raise RequestError(
            f"'{key}' must be an integer in [{low}, {high}]; got {value}."
        )
    return value


def _choice(body, key, options, *, default=None):
    """One of the strings ``options``."""
    if key not in body or body[key] is None:
        return default
    value = body[key]
    if not isinstance(value, str) or value not in options:
        raise RequestError(
            f"'{key}' must be one of {list(options)}; got {json.dumps(value)[:60]}."
        )
    return value


def _matrix(body, key, shape):
    """A nested list of numbers of ``shape``, each of absolute value <= MAX_WEIGHT."""
    if key not in body:
        raise RequestError(f"'{key}' is missing: give a list of shape {list(shape)}.")
    value = body[key]

    def check(item, dims):
        if not dims:
            if isinstance(item, bool) or not isinstance(item, (int, float)):
                raise RequestError(f"'{key}' must hold numbers only.")
            if not math.isfinite(item) or abs(item) > MAX_WEIGHT:
                raise RequestError(
                    f"'{key}' must hold finite numbers in [-{MAX_WEIGHT:g}, "
                    f"{MAX_WEIGHT:g}]; got {item!r}."
                )
            return
        if not isinstance(item, list) or len(item) != dims[0]:
            raise RequestError(f"'{key}' must be a list of shape {list(shape)}.")
        for sub in item:
            check(sub, dims[1:])

    check(value, tuple(shape))
    return np.array(value, dtype=np.float64).reshape(shape)


def _reject_constant(name):
    raise RequestError(f"JSON constant {name} is not allowed: give finite numbers.")


def parse_body(raw):
    """Decode a request body: a JSON object, without NaN or infinities.

    Parameters
    ----------
    raw : bytes
        The request body.

    Returns
    -------
    dict

    Examples
    --------
    >>> parse_body(b'{"steps": 2}')
    {'steps': 2}
    """
    try:
        body = json.loads(raw.decode("utf-8") or "{}", parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(f"The body is not valid JSON ({exc}); send a JSON object.")
    if not isinstance(body, dict):
        raise RequestError(
            'The body must be a JSON object, such as {"session": "..."}.'
        )
    return body


# -- data ------------------------------------------------------------------------


def make_preset(name):
    """The points of a preset data set, the same on every call.

    Parameters
    ----------
    name : {'separable', 'overlapping', 'stripes', 'few', 'empty'}

    Returns
    -------
    X : ndarray of shape (n_points, 2)
    y : ndarray of shape (n_points,), values in {0, 1, 2}

    Examples
    --------
    >>> X, y = make_preset("few")
    >>> X.shape, sorted(set(y.tolist()))
    ((6, 2), [0, 1, 2])
    """
    rng = np.random.RandomState(0)
    centers = np.array([[-2.5, -1.5], [2.5, -1.5], [0.0, 2.5]])
    if name in ("separable", "overlapping"):
        n, spread = (20, 0.6) if name == "separable" else (30, 1.4)
        y = np.repeat(CLASSES, n)
        X = centers[y] * (1.0 if name == "separable" else 0.6) + spread * rng.randn(
            y.size, 2
        )
    elif name == "stripes":
        y = np.repeat(CLASSES, 20)
        along = rng.uniform(-3.5, 3.5, y.size)
        across = 2.2 * (y - 1) + 0.35 * rng.randn(y.size)
        direction, normal = np.array([1.0, 0.5]) / np.sqrt(1.25), np.array(
            [-0.5, 1.0]
        ) / np.sqrt(1.25)
        X = along[:, None] * direction + across[:, None] * normal
    elif name == "empty":
        return np.zeros((0, 2)), np.zeros(0, dtype=int)
    elif name == "few":
        y = np.repeat(CLASSES, 2)
        X = centers[y] * 0.8 + 0.8 * rng.randn(y.size, 2)
    else:
        raise ValueError(f"Unknown preset {name!r}; use one of {list(PRESETS)}.")
    return np.clip(X, -LIMIT, LIMIT), y


def per_sample_losses(loss, scores, y):
    """Each sample's loss ``L_i``, through the loss's own ``loss`` method.

    The losses of :mod:`sklinear_sgd.losses` give a weighted mean, over the
    samples of every leading index of the scores. Rotating each row so that its
    true class comes first (both losses are symmetric in the other classes)
    lets one call evaluate every row as a one-sample problem of label 0.

    Parameters
    ----------
    loss : MulticlassHinge or SoftmaxCrossEntropy
    scores : ndarray of shape (n_samples, n_classes)
    y : ndarray of shape (n_samples,)
        Class indices.

    Returns
    -------
    ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.losses import MulticlassHinge
    >>> scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    >>> per_sample_losses(MulticlassHinge(), scores, np.array([0, 1, 2])).round(2)
    array([ 2.9,  0. , 12.9])
    """
    n_classes = scores.shape[1]
    order = (np.arange(n_classes)[None, :] + y[:, None]) % n_classes
    rotated = np.take_along_axis(scores, order, axis=1)
    return np.asarray(loss.loss(rotated[:, None, :], np.zeros(1, dtype=int)))


def hinge_terms(loss, scores, y):
    """Each sample's terms ``max(0, s_j - s_y + margin)`` of the multiclass hinge.

    Each term is the loss of a two-class problem, the true class's score and
    class ``j``'s, so it is computed by the loss itself
    (:func:`per_sample_losses` on those two columns), not by a copy of its
    formula.

    Parameters
    ----------
    loss : MulticlassHinge
    scores : ndarray of shape (n_samples, n_classes)
    y : ndarray of shape (n_samples,)
        Class indices.

    Returns
    -------
    ndarray of shape (n_samples, n_classes)
        Column ``j`` holds the term of class ``j``; NaN where ``j`` is the
        sample's own class, which has no term. The terms of a row add up to
        its ``L_i``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklinear_sgd.losses import MulticlassHinge
    >>> scores = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
    >>> hinge_terms(MulticlassHinge(), scores, np.array([0, 1, 2])).round(2)
    array([[nan, 2.9, 0. ],
           [0. , nan, 0. ],
           [6.3, 6.6, nan]])
    """
    n_samples, n_classes = scores.shape
    own = scores[np.arange(n_samples), y]
    label = np.zeros(n_samples, dtype=int)
    terms = np.empty((n_samples, n_classes))
    for j in range(n_classes):  # three classes: three calls of the loss
        pair = np.column_stack([own, scores[:, j]])
        terms[:, j] = per_sample_losses(loss, pair, label)
    terms[np.arange(n_samples), y] = np.nan
    return terms


def _clip(polygon, normal, offset, strict):
    """The part of a convex polygon where ``normal . p + offset >= 0`` (``> 0``
    with ``strict``, which matters only for a constant side: ``normal`` 0)."""
    if not np.any(normal):
        keep = offset > 0 or (offset == 0 and not strict)
        return polygon if keep else []
    out = []
    for p, q in zip(polygon, polygon[1:] + polygon[:1]):
        dp = float(normal @ p + offset)
        dq = float(normal @ q + offset)
        if dp >= 0:
            out.append(p)
        if (dp > 0 and dq < 0) or (dp < 0 and dq > 0):  # a strict crossing
            out.append(p + (q - p) * (dp / (dp - dq)))
    return out if len(out) >= 3 else []


def decision_regions(coef, intercept, limit=LIMIT):
    """Each class's decision region in the square ``[-limit, limit]^2``.

    The region of class ``k`` is where its score ``w_k . x + b_k`` is the
    highest: the square cut by the half-planes ``(w_k - w_j) . x + b_k - b_j
    >= 0``, ``j != k``, a convex polygon (empty where class ``k`` never
    wins). Ties go to the lower class index, as ``predict``'s do. The page
    fills these polygons: their edges are exact at any size.

    Parameters
    ----------
    coef : ndarray of shape (n_classes, 2)
    intercept : ndarray of shape (n_classes,)
    limit : float, default=LIMIT

    Returns
    -------
    list of n_classes lists of [x, y] vertices
        Counter-clockwise; an empty list for a class that wins nowhere.

    Examples
    --------
    >>> import numpy as np
    >>> left, right = decision_regions(np.array([[-1.0, 0.0], [1.0, 0.0]]), np.zeros(2))
    >>> sorted(map(tuple, left))
    [(-5.0, -5.0), (-5.0, 5.0), (0.0, -5.0), (0.0, 5.0)]
    >>> sorted(map(tuple, right))
    [(0.0, -5.0), (0.0, 5.0), (5.0, -5.0), (5.0, 5.0)]
    """
    coef = np.asarray(coef, dtype=np.float64)
    intercept = np.asarray(intercept, dtype=np.float64)
    square = [np.array(p) for p in ((-limit, -limit), (limit, -limit),
                                    (limit, limit), (-limit, limit))]
    regions = []
    for k in range(coef.shape[0]):
        polygon = square
        for j in range(coef.shape[0]):
            if j != k and polygon:
                polygon = _clip(polygon, coef[k] - coef[j],
                                intercept[k] - intercept[j], strict=j < k)
        regions.append([[float(v) for v in p] for p in polygon])
    return regions


def estimator_params(settings):
    """The estimator parameters of a session's settings.

    ``max_iter=1`` makes a ``fit`` one iteration, as a ``partial_fit`` call
    is; ``tol=None`` and ``early_stopping=False`` keep that iteration the same
    as the next ones (no stopping rule, every point used for training), and
    ``random_state=0`` makes the minibatches of every fresh start the same.

    Parameters
    ----------
    settings : dict
        As :data:`DEFAULT_SETTINGS`.

    Returns
    -------
    dict
        For ``set_params`` of the loss's classifier, or its constructor.

    Examples
    --------
    >>> estimator_params(dict(DEFAULT_SETTINGS, optimizer="sgd"))["optimizer"]
    SGD(batch_size=16)
    """
    name = settings["optimizer"]
    optimizer = {}
    if name in TAKES_LEARNING_RATE and settings["learning_rate"] is not None:
        optimizer["learning_rate"] = settings["learning_rate"]
    if name in TAKES_BATCH_SIZE:
        optimizer["batch_size"] = settings["batch_size"]
    params = {
        "alpha": settings["alpha"],
        "optimizer": OPTIMIZERS[name](**optimizer),
        "max_iter": 1,
        "tol": None,
        "early_stopping": False,
        "random_state": 0,
    }
    if settings["loss"] == "svm":
        params["margin"] = settings["margin"]
    return params


#: Held while warnings are filtered: the filters are shared by every thread.
_WARNINGS_LOCK = threading.Lock()


def fit_from(estimator, X, y, coef, intercept):
    """Start the optimizer afresh from given weights: one iteration of ``fit``.

    ``estimator.fit(X, y, coef_init=coef, intercept_init=intercept)``, its
    ``max_iter`` being 1 (see :func:`estimator_params`): the optimizer's state,
    schedule, step-size estimate and iteration count are those of a new fit,
    and ``partial_fit`` calls after it resume them: for the first-order
    optimizers and random local search ``k`` steps give exactly what ``fit``
    with ``max_iter=k`` gives (random search draws its candidates in blocks,
    one a call here, and L-BFGS runs SciPy once a call, so theirs differ from
    one long ``fit`` while starting as it does). The three classes are
    declared even if some have no point: a missing class gets one row of
    weight 0, which by the weighted mean of the objective counts as no row.
    An exact optimizer (L-BFGS) warns that one iteration did not reach the
    optimum: the demo asks for exactly that, so this warning is not shown.

    Parameters
    ----------
    estimator : SVMClassifier or SoftmaxClassifier
        Its parameters as :func:`estimator_params` gives them.
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        Labels among ``CLASSES``.
    coef : ndarray of shape (3, 2)
    intercept : ndarray of shape (3,)

    Returns
    -------
    estimator
        Fitted, one iteration from ``coef`` and ``intercept``.

    Examples
    --------
    >>> import numpy as np
    >>> X, y = make_preset("few")
    >>> clf = SVMClassifier(**estimator_params(DEFAULT_SETTINGS))
    >>> clf = fit_from(clf, X, y, np.zeros((3, 2)), np.zeros(3))
    >>> clf.n_iter_, clf.coef_.shape
    (1, (3, 2))
    """
    missing = np.setdiff1d(CLASSES, y)
    sample_weight = None
    if missing.size:
        sample_weight = np.r_[np.ones(y.size), np.zeros(missing.size)]
        X = np.vstack([X, np.zeros((missing.size, X.shape[1]))])
        y = np.concatenate([y, missing])
    fit = partial(estimator.fit, X, y, sample_weight,
                  coef_init=coef, intercept_init=intercept)
    if not getattr(estimator.optimizer, "exact", False):
        return fit()
    with _WARNINGS_LOCK, warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", r".* ran max_iter=1 iterations", ConvergenceWarning
        )
        return fit()


@lru_cache(maxsize=8)
def _probe(optimizers):
    X, y = make_preset("few")
    found = {}
    for loss, cls in LOSSES.items():
        found[loss] = {}
        for name, _ in optimizers:
            settings = dict(DEFAULT_SETTINGS, loss=loss, optimizer=name)
            try:
                with np.errstate(over="ignore", invalid="ignore"):
                    fit_from(cls(**estimator_params(settings)), X, y,
                             np.zeros((3, 2)), np.zeros(3))
            except ValueError as exc:
                found[loss][name] = str(exc)
    return found


def unavailable_optimizers():
    """The optimizers that cannot run with each loss, and the package's reason.

    Found by asking the package, not by a list kept here: one step of every
    loss and optimizer, as a session takes it, on the ``'few'`` preset; a pair
    whose step raises ``ValueError`` is unavailable, its message the reason.
    Computed once for each set of :data:`~sklinear_sgd.optimizers.OPTIMIZERS`.

    Returns
    -------
    dict
        ``{loss: {optimizer: reason}}`` for every loss of ``LOSSES``; an
        empty inner dict when every optimizer runs with that loss.

    Examples
    --------
    >>> sorted(unavailable_optimizers())
    ['softmax', 'svm']
    """
    return copy.deepcopy(_probe(tuple(OPTIMIZERS.items())))


# -- sessions --------------------------------------------------------------------


class Session:
    """One visitor's state: points, estimator, settings and loss curve.

    ``estimator`` holds the weights shown. After any change of the points,
    the weights or the settings (:meth:`_restart`) the next step starts the
    optimizer afresh from those weights (:func:`fit_from`) and the step
    count, the curve and the optimizer's state begin again; the steps after
    it resume that state through ``partial_fit``.
    """

    def __init__(self, preset="separable", seed=None):
        self.lock = threading.Lock()
        self.rng = np.random.default_rng(seed)
        self.preset = preset
        self.X, self.y = make_preset(preset)
        self.settings = dict(DEFAULT_SETTINGS)
        self.estimator = self._new_estimator(self.settings)
        self._set_weights(*self._random_weights())

    # The estimator -------------------------------------------------------------

    def _new_estimator(self, settings):
        """An estimator of the chosen settings that can show weights.

        Scores and the objective need a fitted estimator; this one is fitted
        by one candidate of random search on one point of each class, and its
        weights are then replaced. Only its parameters and the weights reach
        training: each training starts with :func:`fit_from` on a clone.
        """
        cls = LOSSES[settings["loss"]]
        estimator = cls(optimizer="random_search", random_state=0)
        estimator.partial_fit(np.eye(3, 2), CLASSES, classes=CLASSES)
        estimator.set_params(**estimator_params(settings))
        return estimator

    def _random_weights(self):
        """Weights and biases of order 1, centred across classes (as the
        optimizers keep them, so that a first step does not move the lines
        by the centring alone)."""
        W = self.rng.normal(0.0, 1.0, (3, 2))
        b = self.rng.normal(0.0, 1.0, 3)
        return W - W.mean(axis=0), b - b.mean()

    def _set_weights(self, W, b):
        self.estimator.coef_ = np.array(W, dtype=np.float64)
        self.estimator.intercept_ = np.array(b, dtype=np.float64)
        self._restart()

    def _restart(self):
        """A new problem or starting point: the next step is a fresh start."""
        self.fresh = True
        self.steps = 0
        self.curve_start = 0
        self.curve = [] if self.X.shape[0] == 0 else [self._objective()]

    def _objective(self):
        return float(self.estimator.objective(self.X, self.y))

    def _loss(self):
        if self.settings["loss"] == "svm":
            return MulticlassHinge(margin=self.settings["margin"])
        return SoftmaxCrossEntropy()

    # Actions ----------------------------------------------------------------------

    def configure(self, body):
        """Change any of the settings; the weights carry over, the optimizer
        starts afresh (if anything changed)."""
        new = dict(self.settings)
        new["loss"] = _choice(body, "loss", tuple(LOSSES), default=new["loss"])
        new["optimizer"] = _choice(
            body, "optimizer", tuple(OPTIMIZERS), default=new["optimizer"]
        )
        if "learning_rate" in body:  # null means the optimizer's default
            new["learning_rate"] = _number(
                body, "learning_rate", 0.0, 100.0, low_open=True
            )
        new["alpha"] = _number(body, "alpha", 0.0, 100.0, default=new["alpha"])
        new["batch_size"] = _integer(
            body, "batch_size", 1, MAX_POINTS, default=new["batch_size"]
        )
        new["margin"] = _number(
            body, "margin", 0.0, 100.0, default=new["margin"], low_open=True
        )
        reason = unavailable_optimizers()[new["loss"]].get(new["optimizer"])
        if reason is not None:
            raise RequestError(
                f"The optimizer {new['optimizer']!r} cannot run with the "
                f"{new['loss']!r} loss: {reason} Choose another optimizer or loss."
            )
        if new == self.settings:
            return
        W, b = self.estimator.coef_.copy(), self.estimator.intercept_.copy()
        self.estimator = self._new_estimator(new)
        self.settings = new
        self._set_weights(W, b)

    def step(self, body):
        """Run ``steps`` iterations of the optimizer; all of them or none.

        The first after a change is :func:`fit_from` the weights shown, the
        others ``partial_fit`` calls.
        """
        steps = _integer(body, "steps", 1, MAX_STEPS, default=1)
        if self.X.shape[0] == 0:
            raise RequestError(
                "There are no points: add some (click the plot) or pick a preset."
            )
        values = []
        try:
            # A diverging run overflows on its way to the estimator's error.
            with np.errstate(over="ignore", invalid="ignore"):
                if self.fresh:
                    estimator = fit_from(
                        clone(self.estimator), self.X, self.y,
                        self.estimator.coef_, self.estimator.intercept_,
                    )
                    values.append(float(estimator.objective(self.X, self.y)))
                else:
                    estimator = copy.deepcopy(self.estimator)
                while len(values) < steps:
                    estimator.partial_fit(self.X, self.y, classes=CLASSES)
                    values.append(float(estimator.objective(self.X, self.y)))
        except ValueError as exc:
            raise RequestError(f"The step failed and nothing changed: {exc}") from exc
        self.estimator = estimator
        self.fresh = False
        self.steps += steps
        self.curve.extend(values)
        if len(self.curve) > MAX_CURVE:
            dropped = len(self.curve) - MAX_CURVE
            self.curve = self.curve[dropped:]
            self.curve_start += dropped

    def randomize(self, body):
        """Draw new random weights and biases."""
        self._set_weights(*self._random_weights())

    def set_weights(self, body):
        """Set the weights and biases the user typed."""
        W = _matrix(body, "coef", (3, 2))
        b = _matrix(body, "intercept", (3,))
        self._set_weights(W, b)

    def _point(self, body):
        return [
            _number(body, "x", -LIMIT, LIMIT, required=True),
            _number(body, "y", -LIMIT, LIMIT, required=True),
        ]

    def _index(self, body):
        if self.X.shape[0] == 0:
            raise RequestError("There are no points: add some first.")
        return _integer(body, "index", 0, self.X.shape[0] - 1, required=True)

    def add_point(self, body):
        """Add one point of a class."""
        point = self._point(body)
        label = _integer(body, "label", 0, 2, required=True)
        if self.X.shape[0] >= MAX_POINTS:
            raise RequestError(
                f"A session holds at most {MAX_POINTS} points; reset or clear first."
            )
        self.X = np.vstack([self.X, [point]])
        self.y = np.append(self.y, label)
        self._restart()

    def remove_point(self, body):
        """Remove the point at ``index`` (the order of the view's columns)."""
        index = self._index(body)
        self.X = np.delete(self.X, index, axis=0)
        self.y = np.delete(self.y, index)
        self._restart()

    def move_point(self, body):
        """Move the point at ``index`` to ``(x, y)``; its label stays."""
        index = self._index(body)
        point = self._point(body)
        self.X = self.X.copy()
        self.X[index] = point
        self._restart()

    def reset(self, body):
        """Load a preset (``'empty'`` for no points)."""
        preset = _choice(body, "preset", PRESETS, default=self.preset)
        self.X, self.y = make_preset(preset)
        self.preset = preset
        self._restart()

    # The view ---------------------------------------------------------------------

    def view(self, session_id):
        """Everything the page draws, as plain JSON data."""
        est = self.estimator
        points = {
            "x": [],
            "y": [],
            "label": [],
            "loss": [],
            "scores": [],
            "predicted": [],
        }
        objective = data_loss = accuracy = None
        if self.X.shape[0]:
            scores = est.decision_function(self.X)
            loss = self._loss()
            objective = self._objective()
            data_loss = float(loss.loss(scores, self.y))
            accuracy = float(est.score(self.X, self.y))
            points = {
                "x": self.X[:, 0].tolist(),
                "y": self.X[:, 1].tolist(),
                "label": self.y.tolist(),
                "loss": per_sample_losses(loss, scores, self.y).tolist(),
                "scores": scores.tolist(),
                "predicted": est.predict(self.X).tolist(),
            }
            if self.settings["loss"] == "svm":
                terms = hinge_terms(loss, scores, self.y)
                points["terms"] = [
                    [None if np.isnan(t) else float(t) for t in row] for row in terms
                ]
            else:
                points["proba"] = est.predict_proba(self.X).tolist()
        return {
            "session": session_id,
            "settings": dict(self.settings),
            "preset": self.preset,
            "steps": self.steps,
            "coef": est.coef_.tolist(),
            "intercept": est.intercept_.tolist(),
            "objective": objective,
            "data_loss": data_loss,
            "penalty": None if objective is None else objective - data_loss,
            "accuracy": accuracy,
            "curve": list(self.curve),
            "curve_start": self.curve_start,
            "points": points,
            "regions": {
                "limit": LIMIT,
                "polygons": decision_regions(est.coef_, est.intercept_),
            },
        }


class SessionStore:
    """At most ``capacity`` sessions; one more evicts the least recently used."""

    def __init__(self, capacity=MAX_SESSIONS):
        self.capacity = capacity
        self._sessions = OrderedDict()
        self._lock = threading.Lock()

    def create(self, preset, seed):
        session = Session(preset, seed)
        session_id = secrets.token_urlsafe(16)
        with self._lock:
            self._sessions[session_id] = session
            while len(self._sessions) > self.capacity:
                self._sessions.popitem(last=False)
        return session_id, session

    def get(self, body):
        session_id = body.get("session")
        if not isinstance(session_id, str):
            raise RequestError(
                "'session' is missing: create one with POST /api/session first."
            )
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                raise RequestError(
                    "Unknown or expired session: create a new one with "
                    "POST /api/session.",
                    HTTPStatus.NOT_FOUND,
                )
            self._sessions.move_to_end(session_id)
        return session_id, session

    def __len__(self):
        with self._lock:
            return len(self._sessions)


# -- HTTP --------------------------------------------------------------------------


ACTIONS = {
    "/api/state": None,
    "/api/config": Session.configure,
    "/api/step": Session.step,
    "/api/randomize": Session.randomize,
    "/api/weights": Session.set_weights,
    "/api/points": Session.add_point,
    "/api/points/remove": Session.remove_point,
    "/api/points/move": Session.move_point,
    "/api/reset": Session.reset,
}


def options():
    """What the page may choose from: ``GET /api/options``."""
    return {
        "losses": list(LOSSES),
        "optimizers": list(OPTIMIZERS),
        "takes_learning_rate": list(TAKES_LEARNING_RATE),
        "takes_batch_size": list(TAKES_BATCH_SIZE),
        "unavailable": unavailable_optimizers(),
        "presets": list(PRESETS),
        "defaults": DEFAULT_SETTINGS,
        "limits": {
            "points": MAX_POINTS,
            "steps": MAX_STEPS,
            "coordinate": LIMIT,
            "weight": MAX_WEIGHT,
            "learning_rate": [0, 100],
            "alpha": [0, 100],
            "batch_size": [1, MAX_POINTS],
            "margin": [0, 100],
        },
    }


class DemoHandler(BaseHTTPRequestHandler):
    """Serves the shipped static files and the JSON endpoints, nothing else."""

    server_version = "sklinear_sgd-demo"
    #: Seconds a connection may stay silent (a body shorter than announced).
    timeout = 30

    def log_message(self, format, *args):  # noqa: A002 (the base class's name)
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status, data):
        self._send(status, json.dumps(data).encode(), "application/json")

    def _error(self, status, message):
        self._json(status, {"error": message})

    def _host_allowed(self):
        """On loopback, only the server's own names (no DNS rebinding)."""
        if not self.server.loopback:
            return True
        port = self.server.server_address[1]
        host = self.headers.get("Host", "")
        return host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}")

    def do_GET(self):  # noqa: N802 (the base class's name)
        if not self._host_allowed():
            return self._error(HTTPStatus.BAD_REQUEST, "Unexpected Host header.")
        path = self.path.split("?", 1)[0]
        if path == "/api/options":
            return self._json(HTTPStatus.OK, options())
        if (
            path not in STATIC
        ):  # a fixed table: no path from the request reaches the disk
            return self._error(HTTPStatus.NOT_FOUND, f"No such page: {path[:100]}.")
        name, content_type = STATIC[path]
        self._send(HTTPStatus.OK, self.server.static[name], content_type)

    def do_POST(self):  # noqa: N802 (the base class's name)
        try:
            if not self._host_allowed():
                raise RequestError("Unexpected Host header.")
            path = self.path.split("?", 1)[0]
            if path != "/api/session" and path not in ACTIONS:
                raise RequestError(
                    f"No such endpoint: POST {path[:100]}.", HTTPStatus.NOT_FOUND
                )
            content_type = self.headers.get("Content-Type", "").split(";")[0].strip()
            if content_type != "application/json":
                raise RequestError(
                    "Send the body as JSON with Content-Type: application/json."
                )
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                raise RequestError("Content-Length must be an integer.") from None
            if not 0 <= length <= MAX_BODY:
                raise RequestError(
                    f"The body must be at most {MAX_BODY} bytes.",
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                )
            body = parse_body(self.rfile.read(length))
            if path == "/api/session":
                preset = _choice(body, "preset", PRESETS, default="separable")
                seed = _integer(body, "seed", 0, 2**32 - 1)
                session_id, session = self.server.sessions.create(preset, seed)
                with session.lock:
                    return self._json(HTTPStatus.OK, session.view(session_id))
            session_id, session = self.server.sessions.get(body)
            with session.lock:
                action = ACTIONS[path]
                if action is not None:
                    action(session, body)
                return self._json(HTTPStatus.OK, session.view(session_id))
        except RequestError as exc:
            self._error(exc.status, str(exc))
        except Exception as exc:  # a bug: say so rather than drop the connection
            self.log_error("internal error: %r", exc)
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"Internal error: {exc!r}.")

    def do_PUT(self):  # noqa: N802 (the base class's name)
        self._error(
            HTTPStatus.METHOD_NOT_ALLOWED,
            "Use GET for pages and POST for /api/ endpoints.",
        )

    do_DELETE = do_PATCH = do_OPTIONS = do_PUT


def _is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class DemoServer(ThreadingHTTPServer):
    """A threading HTTP server holding the sessions and the static files.

    Parameters
    ----------
    host : str
        The address to bind.
    port : int
        The port; 0 picks a free one.
    verbose : bool, default=False
        Log every request on stderr.
    """

    daemon_threads = True

    def __init__(self, host, port, verbose=False):
        self.verbose = verbose
        self.loopback = _is_loopback(host)
        self.sessions = SessionStore()
        folder = resources.files(__package__) / "static"
        self.static = {
            name: (folder / name).read_bytes() for name, _ in STATIC.values()
        }
        super().__init__((host, port), DemoHandler)

    @property
    def url(self):
        """The address to open in a browser."""
        host, port = self.server_address[:2]
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{port}/"


def make_server(host="127.0.0.1", port=0, verbose=False):
    """Create the demo server, bound but not yet serving.

    Parameters
    ----------
    host : str, default='127.0.0.1'
        The address to bind; anything but loopback exposes the demo to the
        network.
    port : int, default=0
        The port; 0 picks a free one.
    verbose : bool, default=False
        Log every request on stderr.

    Returns
    -------
    DemoServer
        Call ``serve_forever()`` (for instance in a thread) and, when done,
        ``shutdown()`` and ``server_close()``.

    Examples
    --------
    >>> server = make_server()
    >>> server.url.startswith("http://127.0.0.1:")
    True
    >>> server.server_close()
    """
    return DemoServer(host, port, verbose)


def main(argv=None):
    """Run ``python -m sklinear_sgd demo``; ``argv`` as for :mod:`argparse`.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments after ``demo``; None reads ``sys.argv``.

    Returns
    -------
    int
        The exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m sklinear_sgd demo",
        description="The interactive demo: a local web page where both classifiers "
        "train on points you place, one step at a time.",
    )
    parser.add_argument(
        "--port",
        type=int,
        default=0,
        help="the port to listen on (default: a free one)",
    )
    parser.add_argument(
        "--open", action="store_true", help="open the page in the default browser"
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to bind (default: 127.0.0.1, this machine only)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    args = parser.parse_args(argv)
    if not 0 <= args.port <= 65535:
        parser.error(f"--port must be in [0, 65535]; got {args.port}.")
    if not _is_loopback(args.host):
        print(
            f"Warning: serving on {args.host}, not on loopback: anyone who can reach "
            "this machine on that address can use the demo and its CPU.",
            file=sys.stderr,
        )
    try:
        server = make_server(args.host, args.port, args.verbose)
    except OSError as exc:
        parser.exit(
            1,
            f"Cannot listen on {args.host}:{args.port}: {exc}. "
            "Choose another --port, or leave it out for a free one.\n",
        )
    print(f"sklinear_sgd demo at {server.url} (Ctrl+C to stop)", flush=True)
    if args.open:
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
