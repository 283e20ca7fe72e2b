"""The interactive demo: ``python -m sklinear_sgd demo [--port N] [--open]``.

A small standard-library HTTP server, bound to ``127.0.0.1`` on a free port
unless told otherwise, serves one page (plain HTML, CSS and JavaScript shipped
with the package) on which a three-class data set in two dimensions is trained
one step at a time. The page only draws: every number it shows comes from the
server, computed by the estimators (``fit``, ``partial_fit``,
``decision_function``, ``objective``, ``score``, ``predict``,
``predict_proba``) and by :mod:`sklinear_sgd.losses`.

**Fresh starts.** Every change of the points (a preset, an added, removed or
moved point), of the weights (new random ones, typed ones) or of the settings
starts the optimizer afresh from the weights shown, as a new ``fit`` would:
the next step is ``fit(X, y, coef_init=coef_, intercept_init=intercept_)``
with ``max_iter=1`` (the optimizer's state, learning-rate schedule, step-size
estimate and iteration count are new), the steps after it ``partial_fit``
calls that resume that state, and the view's ``steps`` and ``curve`` begin
again at 0. For the first-order optimizers and random local search, ``k``
steps after a change are exactly ``fit`` with ``max_iter=k`` from those
weights. A class with no point is still declared, by one row of weight 0.

Options: ``--port N`` (default 0, a free port), ``--open`` (open the default
browser), ``--host ADDRESS`` (default ``127.0.0.1``; any other address exposes
the demo to the network and prints a warning), ``--verbose`` (log requests).

**Endpoints.** All answer with JSON except the page's files.

``GET /``, ``GET /demo.css``, ``GET /demo.js``, ``GET /favicon.svg``
    The page. No other path is served (404).
``GET /api/options``
    What may be chosen: ``losses``, ``optimizers`` (the names of
    :data:`sklinear_sgd.optimizers.OPTIMIZERS`), which of them take a learning
    rate or a batch size, ``unavailable`` (``{loss: {optimizer: reason}}``:
    the optimizers that cannot run with a loss, found by trying one step of
    each pair, with the package's error message as the reason; empty when
    all run, as they do today), ``presets``, ``defaults`` and ``limits``.

Every other endpoint is ``POST`` with a JSON object as body (``Content-Type:
application/json``, at most 256 KiB) and answers with the session's *view*
(below). All but the first need ``"session"``, the id that the first returns.

``POST /api/session`` ``{"preset": "separable", "seed": 0}``
    A new session (both keys optional): a preset data set and random weights
    drawn with ``seed``.
``POST /api/state`` ``{"session": id}``
    The view, unchanged.
``POST /api/config`` ``{"session": id, "loss": "svm", "optimizer": "gd", ...}``
    Any of ``loss`` (``"svm"`` or ``"softmax"``), ``optimizer``,
    ``learning_rate`` (a number in (0, 100], or null for the optimizer's
    default), ``alpha`` (in [0, 100]), ``batch_size`` (an integer in
    [1, 2000]) and ``margin`` (the SVM's, in (0, 100]). The weights carry
    over; if anything changed, the optimizer starts afresh. A pair listed in
    ``unavailable`` is refused (400, with the reason).
``POST /api/step`` ``{"session": id, "steps": 1}``
    ``steps`` (1 to 50) iterations of the optimizer on all the points (an
    epoch for the minibatch ones, one step for gradient descent, one
    candidate for random search): the first after a change is the one
    iteration of a fresh ``fit`` (above), the others ``partial_fit`` calls.
    All or nothing: if one fails (divergence, say), nothing changes.
``POST /api/randomize`` ``{"session": id}``
    New random weights and biases.
``POST /api/weights`` ``{"session": id, "coef": [[w00, w01], ...], "intercept": [b0, b1, b2]}``
    Set the weights (3 x 2) and biases (3), each finite with absolute value at
    most 1000.
``POST /api/points`` ``{"session": id, "x": 1.5, "y": -2.0, "label": 2}``
    Add a point, coordinates in [-5, 5], label 0, 1 or 2; at most 2000 points.
``POST /api/points/remove`` ``{"session": id, "index": 3}``
    Remove the point at ``index`` (its position in the view's point columns;
    the points after it move up one).
``POST /api/points/move`` ``{"session": id, "index": 3, "x": 1.0, "y": 0.5}``
    Move the point at ``index`` to ``(x, y)``, in [-5, 5]; its label stays.
``POST /api/reset`` ``{"session": id, "preset": "few"}``
    Replace the points by a preset's (``"empty"`` for none).

The view: ``session``, ``settings``, ``preset``, ``steps``, ``coef``,
``intercept``, ``objective`` (``estimator.objective`` on the points: mean loss
plus ``alpha * R(W)``), ``data_loss`` and ``penalty`` (its two parts),
``accuracy``, ``steps`` (since the last change), ``curve`` (the objective
after each step since the last change, the first value before any step; its
first entry is step ``curve_start``, 0 unless more than 2000 steps dropped the
oldest), ``points`` (columns ``x``, ``y``, ``label``, ``loss`` (each point's
``L_i``), ``scores``, ``predicted`` (the class ``predict`` gives), and for
the SVM ``terms`` (each class's term ``max(0, s_j - s_y + margin)`` of
``L_i``, computed by the loss on the pair of scores, null for the point's own
class), for the softmax ``proba`` (``predict_proba``; ``L_i = -log p_y``))
and ``regions`` (``limit``, and ``polygons``: for each class the convex
polygon of ``[-limit, limit]^2`` where its score is the highest, as a list of
``[x, y]`` vertices, empty where it wins nowhere; ties go to the lower class,
as in ``predict``). ``objective`` and the point columns are null or empty
when there are no points.

Errors: status 400 (404 for an unknown path or session, 413 for a body that
is too large) with ``{"error": "what was wrong and what to do"}``; the
session is left as it was.

Safety: only the files above are ever read (a fixed table, not a path
from the request); no input is evaluated; on loopback, requests must name the
server by its own address (``Host`` header); sessions are independent, each
under its own random id, and at most 64 are kept (creating another evicts the
least recently used).
"""

from .server import DemoServer, main, make_server

__all__ = ["DemoServer", "main", "make_server"]
