"""Update rules: how a gradient becomes a step direction.

Each rule is a pair in the manner of optax: ``init(params)`` returns the rule's
state (plain arrays and numbers) and ``direction(grad, state)`` returns the
direction ``d`` of the step ``P <- P - learning_rate * d``, updating the state
in place. ``scale(state)`` gives the per-entry factor that the rule applies to
the learning rate (1 for plain steps), which the proximal step of an L1 penalty
uses. The full-batch and minibatch drivers use the same rules.
"""

import numpy as np


class Plain:
    """Vanilla gradient step: the direction is the gradient."""

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
    """Rules that divide by a root mean square of past gradients."""

    def __init__(self, epsilon):
        self.epsilon = epsilon

    def scale(self, state):
        """The per-entry factor ``1 / (sqrt(s) + epsilon)``."""
        return 1.0 / (np.sqrt(self._second(state)) + self.epsilon)


class AdaGrad(_Adaptive):
    r"""AdaGrad: :math:`G \leftarrow G + g^2`, :math:`d = g / (\sqrt{G} + \epsilon)`."""

    def init(self, params):
        """Zero sum of squared gradients."""
        return {"sum_squares": np.zeros_like(params)}

    def _second(self, state):
        return state["sum_squares"]

    def direction(self, grad, state):
        """Accumulate ``g ** 2`` and return the scaled gradient."""
        state["sum_squares"] += grad * grad
        return grad * self.scale(state)


class RMSProp(_Adaptive):
    r"""RMSProp: :math:`s \leftarrow \rho s + (1 - \rho) g^2`, :math:`d = g / (\sqrt{s} + \epsilon)`."""

    def __init__(self, rho, epsilon):
        super().__init__(epsilon)
        self.rho = rho

    def init(self, params):
        """Zero mean of squared gradients."""
        return {"mean_squares": np.zeros_like(params)}

    def _second(self, state):
        return state["mean_squares"]

    def direction(self, grad, state):
        """Update the running mean of ``g ** 2`` and return the scaled gradient."""
        s = state["mean_squares"]
        rho = s.dtype.type(self.rho)
        s *= rho
        s += (1 - rho) * grad * grad
        return grad * self.scale(state)


class Adam(_Adaptive):
    r"""Adam with bias correction.

    .. math::

        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
        d = \frac{m / (1 - \beta_1^t)}{\sqrt{v / (1 - \beta_2^t)} + \epsilon}.
    """

    def __init__(self, beta1, beta2, epsilon):
        super().__init__(epsilon)
        self.beta1 = beta1
        self.beta2 = beta2

    def init(self, params):
        """Zero moments, step count 0."""
        return {"m": np.zeros_like(params), "v": np.zeros_like(params), "t": 0}

    def _second(self, state):
        return state["v"] / (1 - self.beta2 ** max(state["t"], 1))

    def direction(self, grad, state):
        """Update both moments and return the bias-corrected direction."""
        state["t"] += 1
        m, v = state["m"], state["v"]
        b1, b2 = m.dtype.type(self.beta1), m.dtype.type(self.beta2)
        m *= b1
        m += (1 - b1) * grad
        v *= b2
        v += (1 - b2) * grad * grad
        return m / (1 - self.beta1 ** state["t"]) * self.scale(state)


def make_rule(momentum=0.0, nesterov=False):
    """The plain or momentum rule for the given momentum settings."""
    if momentum == 0 and not nesterov:
        return Plain()
    return Momentum(momentum, nesterov)
