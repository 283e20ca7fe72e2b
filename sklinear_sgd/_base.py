"""The estimator shared by both classifiers: validation, labels, weights, stopping."""

import math
import re
import warnings
from contextlib import contextmanager
from functools import partial
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import CallbackSupportMixin
from ._dask import is_dask_data
from .objective import LinearObjective
from .optimizers import OPTIMIZERS, get_optimizer
from .penalties import PENALTIES, make_penalty


#: What validation sets on the estimator before the training itself.
_DATA_ATTRIBUTES = ("classes_", "n_features_in_", "feature_names_in_")

#: Layout of a fitted estimator's pickled or skops state. A model saved in
#: another format cannot be read, and says so (see ``__setstate__``).
STATE_FORMAT = 1
_VERSION_KEY = "_sklinear_sgd_version"
_FORMAT_KEY = "_sklinear_sgd_state_format"

#: What to do, for the errors of scikit-learn's validation that say only what
#: was wrong: (pattern of its message, advice appended to it).
_ADVICE = (
    (r"Input y contains (NaN|infinity)",
     "Drop the samples without a valid label, or give them one."),
    (r"contains infinity",
     "Replace or drop the infinite values (for instance with np.nan_to_num or "
     "np.clip); values beyond the float range usually mean the features need "
     "scaling."),
    (r"[Cc]omplex data not supported",
     "Pass real features, for instance X.real and X.imag, or np.abs(X), as "
     "separate columns."),
    (r"could not convert|must be a string or a (real )?number",
     "X must be numeric: encode text or categorical columns first (for "
     "instance with OneHotEncoder or OrdinalEncoder in a ColumnTransformer)."),
    (r"with 0 sample\(s\)", "Pass at least one sample."),
    (r"with 0 feature\(s\)", "Pass at least one feature column."),
    (r"Found array with dim [3-9]",
     "Pass X as a 2D array of shape (n_samples, n_features), for instance "
     "X.reshape(len(X), -1)."),
    (r"inconsistent numbers of samples",
     "Give X and y one row per sample: the same number of rows."),
    (r"Unknown label type",
     "Pass class labels (integers or strings); for a continuous target use a "
     "regressor, or bin it first (for instance with KBinsDiscretizer)."),
    (r"y should be a 1d array",
     "Pass y as a 1D array with one label per sample; for several outputs fit "
     "one classifier each (for instance with MultiOutputClassifier)."),
    (r"X has \d+ features?, but",
     "Pass data with the columns seen in fit, or call fit to train on new "
     "columns."),
    (r"feature names should match",
     "Pass the columns seen in fit, with the same names in the same order, or "
     "call fit to train on new columns."),
)


@contextmanager
def _advised():
    """Append what to do to the ValueError or TypeError of a validation step.

    Floating-point errors are ignored inside: scikit-learn's finiteness check
    first sums the data, which may overflow, and then looks at every entry.
    """
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            yield
    except (ValueError, TypeError) as exc:
        if type(exc) in (ValueError, TypeError):
            message = str(exc)
            for pattern, advice in _ADVICE:
                if re.search(pattern, message):
                    raise type(exc)(f"{message.rstrip()} {advice}") from exc
        raise


def _advance(iterates, release):
    """The next iterate, or None at the end; with ``release``, asked for with
    ``send(True)``: the last one's params may be overwritten."""
    try:
        return iterates.send(True) if release else next(iterates)
    except StopIteration:
        return None


def _take(sample_weight, rows):
    return None if sample_weight is None else sample_weight[rows]


def _check_sample_weight(sample_weight, n_samples, dtype):
    """Validate ``sample_weight``; None stays None (unit weights)."""
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight)
    if sw.ndim == 0:
        sw = np.full(n_samples, sw)
    if sw.ndim != 1 or sw.shape[0] != n_samples:
        raise ValueError(
            f"sample_weight must have shape ({n_samples},), one weight per sample; "
            f"got shape {sw.shape}. Pass one weight per row of X, or None for "
            "unit weights."
        )
    if not np.issubdtype(sw.dtype, np.number) or np.iscomplexobj(sw):
        raise TypeError(
            f"sample_weight must hold real numbers; got dtype {sw.dtype}. Pass "
            "numeric weights, for instance np.asarray(weights, dtype=float)."
        )
    sw = sw.astype(dtype)
    if not np.all(np.isfinite(sw)):
        raise ValueError(
            "sample_weight contains NaN or infinity; give finite weights (0 "
            "removes a sample)."
        )
    if np.any(sw < 0):
        raise ValueError(
            "sample_weight has negative values; weights must be >= 0: set them "
            "to 0 to leave those samples out."
        )
    if sw.sum() <= 0:
        raise ValueError(
            "sample_weight sums to zero: give at least one sample a positive "
            "weight."
        )
    return sw


def _all_finite(P):
    """Whether every entry of ``P`` is finite, without a mask of ``P``'s size:
    a sum in float64 (in numpy's small buffers) is finite if they all are,
    unless it overflows, which only an exact check can tell."""
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.sum(P, dtype=np.float64)
    return math.isfinite(total) or bool(np.isfinite(P).all())


def class_weight_vector(class_weight, classes):
    """The weight of each of ``classes`` from a ``{label: weight}`` dict.

    Every key must be one of ``classes`` (as scikit-learn requires): a key
    that is not, such as ``"1"`` for the integer label 1, would otherwise be
    ignored without a word.
    """
    labels = classes.tolist()
    unknown = [key for key in class_weight if key not in labels]
    if unknown:
        raise ValueError(
            f"class_weight has keys {unknown!r} that are not classes of y "
            f"{classes.tolist()!r}. Give weights for the labels as they are in y "
            "(with the same type: 1, not '1')."
        )
    return np.array([class_weight.get(c, 1.0) for c in classes], dtype=np.float64)


#: An iterate whose objective exceeds the reference (the larger of the
#: objective at the start and at zero parameters) this many times has diverged
#: (every optimizer's first iterate is below it on healthy runs);
#: so has one that rose above the reference in each of _GROWTH_RUN iterations.
_DIVERGENCE_FACTOR = 100.0
_GROWTH_RUN = 10

#: Above this share of max(objective, 0.01), a fit that stopped on ``tol``
#: with an estimated gap to the optimum warns (see LinearObjective.suboptimality).
_GAP_WARNING = 1e-3

#: With early_stopping='auto', early stopping is on above this many samples.
_AUTO_EARLY_STOPPING = 10_000


def _diverged(iteration, what):
    """The error of a run whose iterates left the floating-point range."""
    return ValueError(
        f"Training diverged at iteration {iteration}: {what}. Scale the features "
        "(for instance with StandardScaler) or lower the optimizer's "
        "learning_rate; coef_ and intercept_ were not updated."
    )


class BaseLinearClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Shared base of :class:`SVMClassifier` and :class:`SoftmaxClassifier`.

    Subclasses only choose the loss, with :meth:`_make_loss`.
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions({p for p in PENALTIES if p}), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "optimizer": [
            StrOptions(set(OPTIMIZERS) | {"auto"}),
            HasMethods(["init_state", "iterate"]),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean", StrOptions({"auto"})],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # -- persistence ----------------------------------------------------------

    def __getstate__(self):
        """The state to pickle (or save with skops), with this package's version.

        Returns
        -------
        dict
        """
        from . import __version__

        state = dict(super().__getstate__())
        state[_VERSION_KEY] = __version__
        state[_FORMAT_KEY] = STATE_FORMAT
        return state

    def __setstate__(self, state):
        """Restore a pickled state, refusing one of another state format.

        Parameters
        ----------
        state : dict
        """
        from . import __version__

        state = dict(state)
        version = state.pop(_VERSION_KEY, "0.1.0")
        state_format = state.pop(_FORMAT_KEY, STATE_FORMAT)
        if state_format != STATE_FORMAT:
            raise ValueError(
                f"This {type(self).__name__} was saved by sklinear_sgd {version} in "
                f"state format {state_format!r}, but sklinear_sgd {__version__} reads "
                f"format {STATE_FORMAT} only. Load it with sklinear_sgd {version} "
                "and refit it, or fit a new model with this version."
            )
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # -- fitting -------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, *, coef_init=None, intercept_init=None):
        """Fit the model on ``(X, y)``, running at most ``max_iter`` iterations.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. CSR matrices are used as they are; float32 data
            give float32 coefficients.
        y : array-like of shape (n_samples,)
            Class labels, at least two distinct ones.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; a weight of 2 counts like a repeated row,
            a weight of 0 like a removed row.
        coef_init : array-like of shape (n_classes, n_features), default=None
            The starting weights, as ``coef_`` is laid out (one row for two
            classes); None starts from zeros, or with ``warm_start`` from the
            previous fit. Given, it overrides ``warm_start`` and the optimizer
            starts afresh, as in ``SGDClassifier``.
        intercept_init : array-like of shape (n_classes,), default=None
            The starting intercept, as ``intercept_`` is laid out; None is 0
            (or, with ``warm_start`` and no ``coef_init``, the previous one).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        init = None
        if coef_init is not None or intercept_init is not None:
            init = (coef_init, intercept_init)
        return self._fit(X, y, sample_weight, classes=None, incremental=False, init=init)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one iteration of the optimizer on ``(X, y)``, resuming its state.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data of this call.
        y : array-like of shape (n_samples,)
            Class labels of this call, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class of the whole problem. Required on the first call,
            ignored (but checked) on later ones.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of this call's samples.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._fit(X, y, sample_weight, classes=classes, incremental=True)

    def _fit(self, X, y, sample_weight, classes, incremental, init=None):
        """Fit or update; on any error the estimator is left as it was."""
        # Validation sets these before the training can fail; a failed call must
        # not leave them changed, or a later partial_fit would take the
        # estimator for one that had been fitted.
        before = {k: self.__dict__[k] for k in _DATA_ATTRIBUTES if k in self.__dict__}
        try:
            return self._fit_or_raise(X, y, sample_weight, classes, incremental, init)
        except BaseException:
            for key in _DATA_ATTRIBUTES:
                self.__dict__.pop(key, None)
            self.__dict__.update(before)
            raise

    def _early_stopping(self, n_samples, incremental):
        """Whether this fit holds out a validation part: ``early_stopping``,
        with ``'auto'`` on above 10,000 samples; never in ``partial_fit``."""
        if incremental:
            return False
        if self.early_stopping == "auto":
            return n_samples > _AUTO_EARLY_STOPPING
        return bool(self.early_stopping)

    def _optimizer(self, early_stopping, incremental, dask=False):
        """A fresh optimizer; ``'auto'`` picks one from the kind of fit.

        Minibatch SGD where the fit is by epochs (with early stopping, in
        ``partial_fit``), else the exact solver, L-BFGS (on dask arrays,
        gradient descent for a loss with kinks, which L-BFGS smooths by
        copies of the objective that a dask array cannot make).
        """
        if self.optimizer != "auto":
            return get_optimizer(self.optimizer)
        if early_stopping or incremental:
            return get_optimizer("sgd")
        if dask and not self._make_loss().smooth:
            return get_optimizer("gd")
        return get_optimizer("lbfgs")

    def _fit_or_raise(self, X, y, sample_weight, classes, incremental, init=None):
        if incremental and self.early_stopping != "auto" and self.early_stopping:
            raise ValueError(
                "early_stopping=True is not supported by partial_fit, which runs "
                "one iteration a call: set early_stopping=False and score a "
                "held-out set between calls, or use fit."
            )
        first_call = not (incremental and hasattr(self, "classes_"))
        if is_dask_data(X):  # blocks of rows that stay on a dask cluster
            from ._dask import bind_dask

            X, objective = bind_dask(
                self, X, y, sample_weight, classes, incremental, first_call
            )
            try:
                optimizer = self._optimizer(False, incremental, dask=True)
                return self._train(X, y, sample_weight, objective, None,
                                   incremental, first_call, optimizer, init)
            finally:
                objective.close()  # the blocks leave the workers' memory
        with _advised():
            X, y = validate_data(
                self,
                X,
                y,
                accept_sparse="csr",
                dtype=[np.float64, np.float32],
                reset=first_call,
            )
            check_classification_targets(y)
        self._set_classes(y, classes, incremental, first_call)
        sw = _check_sample_weight(sample_weight, X.shape[0], X.dtype)
        early_stopping = self._early_stopping(X.shape[0], incremental)
        if early_stopping:
            # Both parts read their rows where they are in X: no copy of it.
            train, val = self._validation_split(y)
            objective = self._bind(X, y[train], _take(sw, train), rows=train)
            validation = self._bind(X, y[val], _take(sw, val), rows=val)
        else:
            objective = self._bind(X, y, sw, incremental)
            validation = None
        optimizer = self._optimizer(early_stopping, incremental)
        return self._train(X, y, sample_weight, objective, validation, incremental,
                           first_call, optimizer, init)

    def _train(self, X, y, sample_weight, objective, validation, incremental,
               first_call, optimizer, init=None):
        """Run the optimizer on a bound objective and set the fitted attributes."""
        fitted = hasattr(self, "coef_") and hasattr(self, "_state")
        # The starting point is made when the optimizer starts, and again only
        # if no iteration is possible: no coefficient-sized array is held
        # beside the optimizer's own during the fit.
        if init is not None:
            start = partial(self._init_params, *init, objective)
            state = optimizer.init_state(objective, self.random_state)
        elif fitted and (not first_call if incremental else self.warm_start):
            shape = self._params(X.dtype).shape
            state = self._state
            if shape != objective.shape:
                raise ValueError(
                    f"warm_start=True needs the classes and the number of features "
                    f"of the previous fit (parameters of shape {shape}), but "
                    f"these data need shape {objective.shape}; set warm_start=False."
                )
            start = partial(self._params, X.dtype)
        else:
            start = objective.init_params
            state = optimizer.init_state(objective, self.random_state)

        max_iter = self.max_iter
        if max_iter == "auto":
            max_iter = optimizer.default_max_iter
        max_iter = 1 if incremental else max_iter
        context = self._init_callback_context(max_subtasks=max_iter)
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        run = self._run(
            optimizer, objective, validation, start, state, max_iter,
            context, dict(X=X, y=y, metadata=metadata),
        )
        if not incremental and run["stop"] == "max_iter" and optimizer.exact:
            warnings.warn(
                f"{type(self).__name__} ran max_iter={max_iter} iterations of "
                f"{type(optimizer).__name__} and it had not reached the optimum "
                "yet; increase max_iter or scale the data.",
                ConvergenceWarning,
            )
        elif not incremental and run["stop"] == "max_iter" and self._stops(optimizer):
            warnings.warn(
                f"{type(self).__name__} ran max_iter={max_iter} iterations and the "
                f"{'validation score' if validation else 'objective'} was still "
                f"improving by more than tol={self.tol}; increase max_iter, raise "
                "tol or scale the data.",
                ConvergenceWarning,
            )
        elif not incremental and run["stop"] == "tol" and validation is None:
            self._warn_if_far(objective, run["params"], run["curve"][-1], optimizer)

        for name, value in self._public(run["params"]).items():
            setattr(self, name, value)
        self._state = run["state"]
        if incremental and not first_call:
            self.loss_curve_ = self.loss_curve_ + run["curve"]
            self.n_iter_ += len(run["curve"])
        else:
            self.loss_curve_ = run["curve"]
            self.n_iter_ = len(run["curve"])
        if validation is not None:
            self.validation_scores_ = run["scores"]
        elif hasattr(self, "validation_scores_"):
            del self.validation_scores_
        context.call_on_fit_task_end(
            estimator=self, X=X, y=y, metadata=metadata, reconstruction_attributes={}
        )
        return self

    def _warn_if_far(self, objective, params, value, optimizer):
        """Warn when a fit that stopped on ``tol`` is still far from stationary.

        The stopping rule sees only that the objective no longer improves: on
        a plateau of the step sizes it stops short of the optimum. The gap
        estimate of the objective (see ``LinearObjective.suboptimality``)
        tells; it needs a squared penalty term, without which no check is
        made.
        """
        estimate = getattr(objective, "suboptimality", None)
        with np.errstate(over="ignore", invalid="ignore", under="ignore"):
            gap = None if estimate is None else estimate(params)
        scale = max(abs(value), 0.01)
        if gap is not None and gap > _GAP_WARNING * scale:
            warnings.warn(
                f"{type(self).__name__} stopped on tol={self.tol} at objective "
                f"{value:.6g}, but its gradient there puts it about {gap:.3g} "
                f"({gap / scale:.2%} of max(objective, 0.01)) above the optimum: "
                f"{type(optimizer).__name__} had stalled. Use optimizer='lbfgs' for "
                "the exact optimum, or lower tol and raise max_iter.",
                ConvergenceWarning,
            )

    def _init_params(self, coef_init, intercept_init, objective):
        """The internal parameters from ``coef_init`` and ``intercept_init``."""
        n_classes, n_features = objective.n_classes, objective.n_features
        rows = 1 if n_classes == 2 else n_classes
        coef = np.zeros((rows, n_features)) if coef_init is None else coef_init
        intercept = np.zeros(rows) if intercept_init is None else intercept_init
        coef = np.asarray(coef, dtype=objective.dtype)
        intercept = np.asarray(intercept, dtype=objective.dtype).reshape(-1)
        if coef.shape != (rows, n_features) or intercept.shape != (rows,):
            raise ValueError(
                f"coef_init must have shape {(rows, n_features)} and intercept_init "
                f"shape {(rows,)}, the shapes of coef_ and intercept_ for these "
                f"data; got {coef.shape} and {intercept.shape}."
            )
        if not (np.all(np.isfinite(coef)) and np.all(np.isfinite(intercept))):
            raise ValueError("coef_init and intercept_init must be finite.")
        P = np.hstack([coef, intercept[:, None]])
        if n_classes == 2:
            P = np.vstack([-P / 2, P / 2])
        if not objective.fit_intercept:
            P[:, -1] = 0
        return P

    def _validation_split(self, y):
        """Stratified indices of the training and validation parts."""
        try:
            return train_test_split(
                np.arange(y.shape[0]),
                test_size=self.validation_fraction,
                stratify=y,
                random_state=self.random_state,
            )
        except ValueError as exc:
            raise ValueError(
                f"early_stopping=True could not hold out a stratified "
                f"validation_fraction={self.validation_fraction} of the "
                f"{y.shape[0]} samples ({exc}). Give more samples of every class, "
                "raise validation_fraction or set early_stopping=False."
            ) from exc

    def _set_classes(self, y, classes, incremental, first_call):
        if incremental:
            if first_call and classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit: give "
                    "every label of the problem, e.g. classes=np.unique(y_all)."
                )
            if classes is not None:
                classes = np.unique(classes)
                if not first_call and not np.array_equal(classes, self.classes_):
                    raise ValueError(
                        f"classes={classes!r} differs from the classes of the first "
                        f"partial_fit call, {self.classes_!r}. Pass the same "
                        "classes, or leave classes out after the first call."
                    )
                if first_call:
                    self.classes_ = classes
            self._check_labels(
                y,
                "of this model (from fit, or declared in the first partial_fit "
                "call)",
                "Declare every label of the problem in classes= on the first "
                "partial_fit call, or call fit to start again.",
            )
        else:
            self.classes_ = np.unique(y)
        if self.classes_.shape[0] < 2:
            raise ValueError(
                f"The data have only one class ({self.classes_[0]!r}); a classifier "
                "needs samples of at least 2 classes: give samples of another "
                "class too."
            )

    def _check_labels(self, y, where, advice):
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y has labels {unknown.tolist()!r} that are not among the classes "
                f"{where}: {self.classes_.tolist()!r}. {advice}"
            )

    def _sample_weights(self, y_index, sample_weight, X, incremental):
        sw = _check_sample_weight(sample_weight, len(y_index), X.dtype)
        if self.class_weight is None:
            return sw
        if incremental and self.class_weight == "balanced":
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit: the class "
                "frequencies of later calls are unknown. Compute the weights with "
                "sklearn.utils.class_weight.compute_class_weight on all labels and "
                "pass them as a dict."
            )
        per_class = compute_class_weight(
            self.class_weight,
            classes=np.arange(len(self.classes_)),
            y=y_index,
        ) if self.class_weight == "balanced" else class_weight_vector(
            self.class_weight, self.classes_
        )
        w = per_class.astype(X.dtype)[y_index]
        return w if sw is None else _check_sample_weight(w * sw, len(y_index), X.dtype)

    def _bind(self, X, y, sample_weight, incremental=False, rows=None):
        """The objective of this model's loss and penalty on validated data
        (on its ``rows`` only, which ``y`` and ``sample_weight`` follow)."""
        # Class indices in int32 (half the memory of intp; any number of
        # classes fits).
        y_index = np.searchsorted(self.classes_, y).astype(np.int32)
        return LinearObjective(
            X,
            y_index,
            len(self.classes_),
            self._make_loss(),
            make_penalty(self.penalty, self.alpha, self.l1_ratio),
            fit_intercept=self.fit_intercept,
            sample_weight=self._sample_weights(y_index, sample_weight, X, incremental),
            rows=rows,
        )

    def _stops(self, optimizer):
        """Whether the ``tol`` rule applies: a tol, and an optimizer whose
        iterates converge but which has no exact test of its own."""
        return self.tol is not None and optimizer.converges and not optimizer.exact

    def _run(self, optimizer, objective, validation, start, state, max_iter,
             context, data):
        """Iterate the optimizer under the stopping rule and the callbacks.

        The rule watches the objective, or with ``early_stopping`` the
        validation accuracy, whose best iterate is the one kept. ``start()``
        makes the starting point. The returned ``'stop'`` says why the run
        ended: ``'tol'`` (the stopping rule), ``'optimizer'`` (its own test),
        ``'callback'`` or ``'max_iter'``.
        """
        curve, scores = [], []
        best_score, best_params = -np.inf, None
        stop = "max_iter"
        params = start()
        # The scale that divergence is judged against: the objective at the
        # start, and at zero parameters (a warm start may begin near 0).
        with np.errstate(over="ignore", invalid="ignore"):
            reference = objective.value(params)
            if np.any(params):
                reference = max(reference, objective.value(objective.init_params()))
        iterates = optimizer.iterate(objective, params, state, max_iter)
        del params
        # Past iterates are not needed, except the best under early_stopping: the
        # optimizer may reuse their memory (see BaseOptimizer.iterate).
        release = validation is None and hasattr(iterates, "send")
        last = None
        rises = 0
        for _ in range(max_iter):
            task = context.subcontext(task_name="iteration")
            task.call_on_fit_task_begin(estimator=self, **data)
            try:
                # A diverging run overflows: that is expected, and it is
                # turned into the error below instead of warnings and NaNs.
                with np.errstate(over="raise", invalid="raise"):
                    current = _advance(iterates, release and last is not None)
            except FloatingPointError as exc:
                done = state["n_iter"] if last is None else last.state["n_iter"]
                raise _diverged(
                    done + 1, f"the computation overflowed ({exc})"
                ) from exc
            if current is None:  # the optimizer stopped by its own test
                task.call_on_fit_task_end(estimator=self)
                stop = "optimizer"
                break
            last = current
            if not np.isfinite(last.value) or not _all_finite(last.params):
                raise _diverged(last.state["n_iter"], f"the objective is {last.value}")
            rises = rises + 1 if curve and last.value > curve[-1] else 0
            if last.value > _DIVERGENCE_FACTOR * reference or (
                rises >= _GROWTH_RUN and last.value > reference
            ):
                raise _diverged(
                    last.state["n_iter"],
                    f"the objective grew to {last.value:.3g}, from {reference:.3g} at "
                    "the start" + ("" if rises < _GROWTH_RUN else
                                   f", rising in each of the last {rises} iterations"),
                )
            curve.append(float(last.value))
            if validation is not None:
                scores.append(validation.accuracy(last.params))
                if scores[-1] > best_score:
                    best_score, best_params = scores[-1], last.params
            if self.verbose:
                print(optimizer.describe(last))
            asked = task.call_on_fit_task_end(
                estimator=self,
                **data,
                reconstruction_attributes=lambda: self._public(last.params),
            )
            if self._stops(optimizer):
                watched = curve if validation is None else [-s for s in scores]
                if self._converged(watched):
                    stop = "tol"
                    break
            if asked:
                stop = "callback"
                break
        if last is None:  # no iteration was possible: the model stays at the start
            return {"params": start(), "state": state, "curve": curve,
                    "scores": scores, "stop": stop}
        return {
            "params": best_params if validation is not None else last.params,
            "state": last.state,
            "curve": curve,
            "scores": scores,
            "stop": stop,
        }

    def _converged(self, curve):
        """True when each of the last n_iter_no_change values did not improve
        on the best value before it by more than tol (lower is better), as in
        scikit-learn's SGDClassifier: a slow, steady descent stops too."""
        k = self.n_iter_no_change
        if len(curve) <= k:
            return False
        best = min(curve[:-k])
        for value in curve[-k:]:
            if value < best - self.tol:
                return False
            best = min(best, value)
        return True

    # -- parameters ----------------------------------------------------------

    @staticmethod
    def _public(P):
        """``coef_`` and ``intercept_`` of the internal parameter array."""
        if P.shape[0] == 2:
            return {"coef_": P[1:, :-1] - P[:1, :-1], "intercept_": P[1:, -1] - P[:1, -1]}
        return {"coef_": P[:, :-1].copy(), "intercept_": P[:, -1].copy()}

    def _params(self, dtype):
        """The internal parameter array, rebuilt from ``coef_`` and ``intercept_``."""
        coef = np.asarray(self.coef_, dtype=dtype)
        intercept = np.asarray(self.intercept_, dtype=dtype)
        P = np.hstack([coef, intercept[:, None]])
        if len(self.classes_) == 2:
            P = np.vstack([-P / 2, P / 2])
        return P

    # -- prediction ----------------------------------------------------------

    def _scores(self, X):
        check_is_fitted(self)
        with _advised():
            X = validate_data(
                self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
            )
        with np.errstate(over="ignore", invalid="ignore"):
            scores = np.asarray(X @ self.coef_.T) + self.intercept_
        if not np.all(np.isfinite(scores)):
            raise ValueError(
                "The scores X @ coef_.T + intercept_ overflow the float range: the "
                "features are far larger than the model can score. Scale them as "
                "the training data were scaled (for instance with the same "
                "StandardScaler)."
            )
        return scores

    def decision_function(self, X):
        """Class scores ``X @ coef_.T + intercept_``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples, n_classes), or (n_samples,) for two classes
            For two classes, the score of ``classes_[1]`` minus that of
            ``classes_[0]``.
        """
        scores = self._scores(X)
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict the class of highest score.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)

        Returns
        -------
        ndarray of shape (n_samples,)
        """
        scores = self._scores(X)
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        return self.classes_[scores.argmax(axis=1)]

    def objective(self, X, y, sample_weight=None):
        """The regularized objective of the fitted model on ``(X, y)``.

        The weighted mean loss plus ``alpha * R(coef_)``, with the weights and
        class weights of ``fit``: the lecture's "loss 1.25347".

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
            Labels, all among ``classes_``.
        sample_weight : array-like of shape (n_samples,), default=None

        Returns
        -------
        float
        """
        check_is_fitted(self)
        with _advised():
            X, y = validate_data(
                self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32],
                reset=False,
            )
            check_classification_targets(y)
        self._check_labels(
            y, "of this model", "Evaluate it on samples of those classes."
        )
        return self._bind(X, y, sample_weight).value(self._params(X.dtype))
