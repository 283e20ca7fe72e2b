"""Optimizers: each sees an objective and a starting point, nothing else.

===========================  ==========================  ============================
class                        string                      one iteration is
===========================  ==========================  ============================
:class:`RandomSearch`        ``"random_search"``         one random candidate
:class:`RandomLocalSearch`   ``"random_local_search"``   one random step, if better
:class:`GradientDescent`     ``"gd"``                    one full-batch step
:class:`SGD`                 ``"sgd"``                   one epoch of minibatch steps
:class:`Adam`                ``"adam"``                  one epoch of minibatch steps
:class:`RMSProp`             ``"rmsprop"``               one epoch of minibatch steps
:class:`AdaGrad`             ``"adagrad"``               one epoch of minibatch steps
:class:`SVRG`                ``"svrg"``                  one epoch of SVRG steps
:class:`LBFGS`               ``"lbfgs"``                 one L-BFGS iteration
===========================  ==========================  ============================

Learning-rate schedules for the first-order ones are in
:mod:`sklinear_sgd.optimizers.schedules`.
"""

from sklearn.base import clone

from ._base import BaseOptimizer, Iterate
from .gradient import SGD, AdaGrad, Adam, GradientDescent, RMSProp
from .quasi_newton import LBFGS
from .random_search import RandomLocalSearch, RandomSearch
from .variance_reduced import SVRG

__all__ = [
    "AdaGrad",
    "Adam",
    "BaseOptimizer",
    "GradientDescent",
    "Iterate",
    "LBFGS",
    "OPTIMIZERS",
    "RMSProp",
    "RandomLocalSearch",
    "RandomSearch",
    "SGD",
    "SVRG",
    "get_optimizer",
]

#: The strings accepted by the estimators' ``optimizer`` parameter.
OPTIMIZERS = {
    "random_search": RandomSearch,
    "random_local_search": RandomLocalSearch,
    "gd": GradientDescent,
    "sgd": SGD,
    "adam": Adam,
    "rmsprop": RMSProp,
    "adagrad": AdaGrad,
    "lbfgs": LBFGS,
    "svrg": SVRG,
}


def get_optimizer(optimizer):
    """Return a fresh optimizer for a name or a clone of an instance.

    Parameters
    ----------
    optimizer : str or BaseOptimizer
        One of ``OPTIMIZERS`` (its default instance) or an optimizer instance.

    Returns
    -------
    BaseOptimizer

    Examples
    --------
    >>> from sklinear_sgd.optimizers import SGD, get_optimizer
    >>> get_optimizer("sgd")
    SGD()
    >>> mine = SGD(batch_size=32)
    >>> copy = get_optimizer(mine)
    >>> copy, copy is mine
    (SGD(batch_size=32), False)
    """
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"Unknown optimizer {optimizer!r}; use one of "
                f"{sorted(OPTIMIZERS)} or an optimizer instance."
            )
        return OPTIMIZERS[optimizer]()
    optimizer = clone(optimizer)
    # Checked here too, not only in init_state: a resumed run (partial_fit,
    # warm_start) does not call init_state.
    if hasattr(optimizer, "_validate_params"):
        optimizer._validate_params()
    return optimizer
