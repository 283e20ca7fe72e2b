"""Update rules: how a gradient becomes a step direction.

Each rule is a pair of functions in the manner of optax: ``init(params)``
returns the rule's state (plain arrays), and ``direction(grad, state)`` returns
the direction to subtract, scaled by the learning rate, and updates the state in
place. The full-batch and minibatch drivers use the same rules.
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


class Momentum:
    r"""Heavy-ball or Nesterov momentum, in the velocity form.

    .. math::

        v_{t+1} = \mu v_t + g_t, \qquad
        P_{t+1} = P_t - \eta\, d_t, \qquad
        d_t = v_{t+1} \text{ (heavy ball)} \;\text{or}\; g_t + \mu v_{t+1}
        \text{ (Nesterov)}.

    The Nesterov form evaluates the gradient at the current point only; it is
    the usual rewriting of the look-ahead gradient.

    Parameters
    ----------
    momentum : float
        :math:`\mu` in [0, 1).
    nesterov : bool
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
        v *= v.dtype.type(self.momentum)
        v += grad
        if self.nesterov:
            return grad + v.dtype.type(self.momentum) * v
        return v


def make_rule(momentum=0.0, nesterov=False):
    """The update rule for the given momentum settings."""
    if momentum == 0 and not nesterov:
        return Plain()
    return Momentum(momentum, nesterov)
