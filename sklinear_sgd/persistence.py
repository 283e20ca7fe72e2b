"""Saving fitted models: the types to trust when loading them with skops.

:mod:`pickle` (or joblib) saves and loads every model, but loading a pickle
runs whatever code the file names: load only files you made. `skops
<https://skops.readthedocs.io>`_ (``pip install sklinear-sgd[persistence]``)
loads only the types you trust. A fitted model holds plain data (arrays,
numbers, strings, lists and dicts of them; the random generator of an
optimizer is kept as its state dict), so the only types of this package in a
file are the estimator, and the optimizer and schedule when instances were
passed as parameters:

>>> import skops.io as sio  # doctest: +SKIP
>>> from sklinear_sgd.persistence import TRUSTED_TYPES
>>> sio.dump(clf, "model.skops")  # doctest: +SKIP
>>> sio.get_untrusted_types(file="model.skops")  # doctest: +SKIP
['sklinear_sgd.classifiers.SVMClassifier']
>>> clf = sio.load("model.skops", trusted=TRUSTED_TYPES)  # doctest: +SKIP

A model records the version of sklinear_sgd that saved it and the format of
its state (``STATE_FORMAT``); a later version loads a
model of the same format, and refuses one of another format with a
ValueError that says which version saved it.
"""

from ._base import STATE_FORMAT
from .classifiers import SoftmaxClassifier, SVMClassifier
from .optimizers import OPTIMIZERS
from .optimizers.schedules import SCHEDULES, CappedInverseScaling

__all__ = ["STATE_FORMAT", "TRUSTED_TYPES"]


def _name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


#: Every type of this package that a saved model may hold: the two estimators,
#: the optimizers and the learning-rate schedules. Pass it as skops'
#: ``trusted`` argument. None of them runs code when it is loaded: skops sets
#: their attributes.
TRUSTED_TYPES = sorted(
    _name(cls)
    for cls in [
        SVMClassifier, SoftmaxClassifier, *OPTIMIZERS.values(), *SCHEDULES.values(),
        CappedInverseScaling,
    ]
)
