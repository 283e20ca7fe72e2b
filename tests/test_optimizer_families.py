"""The optimizers beyond random search, GD and SGD, driven on an objective:
momentum, Adam, RMSProp, AdaGrad, L-BFGS, random local search."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.preprocessing import scale

from sklinear_sgd.losses import MulticlassHinge, SoftmaxCrossEntropy
from sklinear_sgd.objective import LinearObjective
from sklinear_sgd.optimizers import (
    LBFGS,
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    RandomLocalSearch,
    RandomSearch,
    RMSProp,
    get_optimizer,
)
from sklinear_sgd.penalties import L2

X, Y = load_iris(return_X_y=True)
X = scale(X)


def objective(loss=None):
    return LinearObjective(X, Y, 3, loss or SoftmaxCrossEntropy(), L2(0.01))


def run(optimizer, max_iter, obj=None, seed=0):
    obj = obj or objective()
    params = obj.init_params()
    state = optimizer.init_state(obj, seed)
    return list(optimizer.iterate(obj, params, state, max_iter))


@pytest.mark.parametrize(
    "optimizer",
    [
        SGD(momentum=0.9),
        SGD(momentum=0.9, nesterov=True),
        Adam(learning_rate=0.05),
        RMSProp(),
        AdaGrad(),
        LBFGS(),
    ],
    ids=["momentum", "nesterov", "adam", "rmsprop", "adagrad", "lbfgs"],
)
def test_each_decreases_the_objective(optimizer):
    obj = objective()
    start = obj.value(obj.init_params())
    values = [it.value for it in run(optimizer, 30, obj)]
    assert values[-1] < 0.5 * start


@pytest.mark.parametrize("optimizer", [RandomSearch(), RandomLocalSearch()], ids=["search", "local"])
def test_random_searches_keep_the_best(optimizer):
    obj = objective(MulticlassHinge())
    iterates = run(optimizer, 300, obj)
    values = [it.value for it in iterates]
    assert np.all(np.diff(values) <= 0)
    assert values[-1] < obj.value(obj.init_params())
    assert all("candidate" in it.info for it in iterates)
    assert not optimizer.converges


def test_random_search_scale_follows_the_features():
    # Scaling a feature by 100 scales its candidate weights by 1/100.
    X2 = X * np.array([100.0, 1, 1, 1])
    obj = LinearObjective(X2, Y, 3, SoftmaxCrossEntropy(), L2(0.0))
    scale_ = RandomSearch()._scale(obj)
    ref = RandomSearch()._scale(objective())
    assert scale_[0] == pytest.approx(ref[0] / 100)
    np.testing.assert_allclose(scale_[1:], ref[1:])


def test_lbfgs_smooths_the_hinge_down_to_the_loss_itself():
    # The continuation runs from a width of the margin down to 1e-8 of it,
    # then stops by itself (before max_iter), the objective reported exact.
    obj = objective(MulticlassHinge())
    iterates = run(LBFGS(), 100_000, obj)
    widths = [it.info["smoothing"] for it in iterates]
    assert widths[0] == 1.0 and widths[-1] == 1e-8
    assert widths == sorted(widths, reverse=True)
    assert len(iterates) < 100_000
    assert iterates[-1].value == obj.value(iterates[-1].params)


@pytest.mark.parametrize("name", ["sgd", "random_search", "random_local_search", "adam"])
def test_same_seed_same_iterates_other_seed_other_iterates(name):
    opt = get_optimizer(name)
    if name in ("sgd", "adam"):
        opt.set_params(batch_size=16)
    def outcome(seed):
        # The last point and what was tried on the way: a random search may
        # keep its starting point through 5 candidates, but not try the same.
        iterates = run(opt, 5, seed=seed)
        tried = [it.info.get("candidate", np.nan) for it in iterates]
        return np.concatenate([iterates[-1].params.ravel(), tried])

    a, b, c = outcome(1), outcome(1), outcome(2)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c, equal_nan=True)


@pytest.mark.parametrize(
    "optimizer, match",
    [
        (SGD(learning_rate=-1.0), "learning_rate"),
        (SGD(batch_size=0), "batch_size"),
        (SGD(momentum=1.0), "momentum"),
        (Adam(beta2=1.5), "beta2"),
        (RandomSearch(scale=0.0), "scale"),
        (SGD(schedule="sometimes"), "schedule"),
    ],
)
def test_invalid_hyperparameters_are_rejected(optimizer, match):
    with pytest.raises(ValueError, match=match):
        optimizer.init_state(objective(), 0)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimizer_follows_the_protocol(name):
    optimizer = get_optimizer(name)
    obj = objective()
    params = obj.init_params() + 0.01
    before = params.copy()
    state = optimizer.init_state(obj, 0)
    iterates = list(optimizer.iterate(obj, params, state, 6))
    assert [it.state["n_iter"] for it in iterates] == list(range(1, len(iterates) + 1))
    assert 1 <= len(iterates) <= 6
    np.testing.assert_array_equal(params, before)
    assert state["n_iter"] == 0
    for it in iterates:
        assert it.value == pytest.approx(obj.value(it.params), rel=1e-10)
