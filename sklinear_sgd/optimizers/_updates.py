"""Update rules: how a gradient becomes a step direction.

Each rule is a pair in the manner of optax: ``init(params)`` returns the rule's
state (plain arrays and numbers) and ``direction(grad, state)`` returns the
direction ``d`` of the step ``P <- P - learning_rate * d``, updating the state
in place. ``scale(state)`` gives the per-entry factor that the rule applies to
the learning rate (1 for plain steps), which the proximal step of an L1 penalty
uses. The full-batch and minibatch drivers use the same rules.
"""

import math

import numpy as np


class Plain:
    """Vanilla gradient step: the direction is the gradient."""

    #: Whether every direction is a linear combination of the gradients.
    linear = True

    def init(self, params):
        """No state."""
        return {}

    def direction(self, grad, state):
        """Return ``grad``."""
        return grad

    def scale(self, state):
        """Plain steps are not rescaled."""
        return 1.0


class Momentum(Plain):
    r"""Heavy-ball or Nesterov momentum, in the velocity form.

    .. math::

        v_{t+1} = \mu v_t + g_t, \qquad P_{t+1} = P_t - \eta\, d_t,

    with :math:`d_t = v_{t+1}` (heavy ball) or :math:`d_t = g_t + \mu v_{t+1}`
    (Nesterov, the usual rewriting of the look-ahead gradient that evaluates
    the gradient at the current point only).
    """

    def __init__(self, momentum, nesterov=False):
        self.momentum = momentum
        self.nesterov = nesterov

    def init(self, params):
        """Zero velocity."""
        return {"velocity": np.zeros_like(params)}

    def direction(self, grad, state):
        """Update the velocity in place and return the step direction."""
        v = state["velocity"]
        mu = v.dtype.type(self.momentum)
        v *= mu
        v += grad
        if self.nesterov:
            return grad + mu * v
        return v


class _Adaptive(Plain):
    """Rules that divide by a root mean square of past gradients.

    They keep the root itself, updated with :func:`numpy.hypot`
    (``sqrt(a ** 2 + b ** 2)`` without forming the squares), so that gradients
    beyond ``1e154``, whose squares overflow float64, still give finite steps.
    """

    linear = False

    def __init__(self, epsilon):
        self.epsilon = epsilon

    def scale(self, state):
        """The per-entry factor ``1 / (sqrt(s) + epsilon)``."""
        return 1.0 / (self._root(state) + self.epsilon)


class AdaGrad(_Adaptive):
    r"""AdaGrad: :math:`G \leftarrow G + g^2`, :math:`d = g / (\sqrt{G} + \epsilon)`.

    The state holds ``root = sqrt(G)``.
    """

    def init(self, params):
        """Zero root of the sum of squared gradients."""
        return {"root_sum_squares": np.zeros_like(params)}

    def _root(self, state):
        return state["root_sum_squares"]

    def direction(self, grad, state):
        """Accumulate ``g ** 2`` and return the scaled gradient."""
        r = state["root_sum_squares"]
        np.hypot(r, grad, out=r)
        return grad * self.scale(state)


class RMSProp(_Adaptive):
    r"""RMSProp: :math:`s \leftarrow \rho s + (1 - \rho) g^2`, :math:`d = g / (\sqrt{s} + \epsilon)`.

    The state holds ``root = sqrt(s)``.
    """

    def __init__(self, rho, epsilon):
        super().__init__(epsilon)
        self.rho = rho

    def init(self, params):
        """Zero root mean square of the gradients."""
        return {"root_mean_squares": np.zeros_like(params)}

    def _root(self, state):
        return state["root_mean_squares"]

    def direction(self, grad, state):
        """Update the running root mean square and return the scaled gradient."""
        r = state["root_mean_squares"]
        t = r.dtype.type
        r *= t(math.sqrt(self.rho))
        np.hypot(r, t(math.sqrt(1 - self.rho)) * grad, out=r)
        return grad * self.scale(state)


class Adam(_Adaptive):
    r"""Adam with bias correction.

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
        d = \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}.

    The state holds ``m``, ``root_v = sqrt(v)`` and the step count ``t``.
    """

    def __init__(self, beta1, beta2, epsilon):
        super().__init__(epsilon)
        self.beta1 = beta1
        self.beta2 = beta2

    def init(self, params):
        """Zero moments, step count 0."""
        return {"m": np.zeros_like(params), "root_v": np.zeros_like(params), "t": 0}

    def _root(self, state):
        return state["root_v"] / math.sqrt(1 - self.beta2 ** max(state["t"], 1))

    def direction(self, grad, state):
        """Update both moments and return the bias-corrected direction."""
        state["t"] += 1
        m, r = state["m"], state["root_v"]
        t = m.dtype.type
        b1 = t(self.beta1)
        m *= b1
        m += (1 - b1) * grad
        r *= t(math.sqrt(self.beta2))
        np.hypot(r, t(math.sqrt(1 - self.beta2)) * grad, out=r)
        return m / (1 - self.beta1 ** state["t"]) * self.scale(state)


def make_rule(momentum=0.0, nesterov=False):
    """The plain or momentum rule for the given momentum settings."""
    if momentum == 0 and not nesterov:
        return Plain()
    return Momentum(momentum, nesterov)
