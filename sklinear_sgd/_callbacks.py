"""scikit-learn's callbacks API where it exists (scikit-learn >= 1.9), else nothing.

With an older scikit-learn the estimators work the same, without
``set_callbacks``: the context below accepts every hook call and never asks to
stop, so the fitting code has one path.
"""

try:
    from sklearn.callback import CallbackSupportMixin

    HAS_CALLBACKS = True
except ImportError:  # scikit-learn < 1.9
    HAS_CALLBACKS = False

    class _NoCallbackContext:
        """Stands for a callback context when scikit-learn has none."""

        def subcontext(self, **kwargs):
            return self

        def call_on_fit_task_begin(self, **kwargs):
            return False

        def call_on_fit_task_end(self, **kwargs):
            return False

    class CallbackSupportMixin:
        """Gives ``_init_callback_context`` without callbacks."""

        def _init_callback_context(self, **kwargs):
            return _NoCallbackContext()


__all__ = ["CallbackSupportMixin", "HAS_CALLBACKS"]
