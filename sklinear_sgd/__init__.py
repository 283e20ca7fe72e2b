"""Multiclass linear classifiers for scikit-learn, trained by pluggable optimizers.

:class:`SVMClassifier` (multiclass hinge) and :class:`SoftmaxClassifier`
(cross-entropy), trained by random search, gradient descent or minibatch SGD
(:mod:`sklinear_sgd.optimizers`), with a gradient check
(:mod:`sklinear_sgd.gradient_check`).
"""

from .classifiers import SoftmaxClassifier, SVMClassifier

__version__ = "0.1.0"

__all__ = ["SVMClassifier", "SoftmaxClassifier", "__version__"]
