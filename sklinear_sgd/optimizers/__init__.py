"""Optimizers: each sees an objective and a starting point, nothing else.

========================  ======================  ===============================
class                     string                  one iteration is
========================  ======================  ===============================
:class:`RandomSearch`     ``"random_search"``     one random candidate
:class:`GradientDescent`  ``"gd"``                one full-batch gradient step
:class:`SGD`              ``"sgd"``               one epoch of minibatch steps
========================  ======================  ===============================
"""

from sklearn.base import clone

from ._base import BaseOptimizer, Iterate
from .gradient import SGD, GradientDescent
from .random_search import RandomSearch

__all__ = [
    "BaseOptimizer",
    "GradientDescent",
    "Iterate",
    "RandomSearch",
    "SGD",
    "OPTIMIZERS",
    "get_optimizer",
]

#: The strings accepted by the estimators' ``optimizer`` parameter.
OPTIMIZERS = {"random_search": RandomSearch, "gd": GradientDescent, "sgd": SGD}


def get_optimizer(optimizer):
    """Return a fresh optimizer for a name or a clone of an instance.

    Parameters
    ----------
    optimizer : str or BaseOptimizer
        One of ``OPTIMIZERS`` (its default instance) or an optimizer instance.

    Returns
    -------
    BaseOptimizer
    """
    if isinstance(optimizer, str):
        if optimizer not in OPTIMIZERS:
            raise ValueError(
                f"Unknown optimizer {optimizer!r}; use one of "
                f"{sorted(OPTIMIZERS)} or an optimizer instance."
            )
        return OPTIMIZERS[optimizer]()
    return clone(optimizer)
