"""The estimator shared by both classifiers: validation, labels, weights, stopping."""

import warnings
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
            f"got shape {sw.shape}."
        )
    if not np.issubdtype(sw.dtype, np.number) or np.iscomplexobj(sw):
        raise TypeError(
            f"sample_weight must hold real numbers; got dtype {sw.dtype}."
        )
    sw = sw.astype(dtype)
    if not np.all(np.isfinite(sw)):
        raise ValueError("sample_weight contains NaN or infinity; give finite weights.")
    if np.any(sw < 0):
        raise ValueError("sample_weight has negative values; weights must be >= 0.")
    if sw.sum() <= 0:
        raise ValueError(
            "sample_weight sums to zero: at least one sample needs a positive weight."
        )
    return sw


class BaseLinearClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Shared base of :class:`SVMClassifier` and :class:`SoftmaxClassifier`.

    Subclasses only choose the loss, with :meth:`_make_loss`.
    """

    _parameter_constraints = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "penalty": [StrOptions({p for p in PENALTIES if p}), None],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "optimizer": [
            StrOptions(set(OPTIMIZERS)),
            HasMethods(["init_state", "iterate"]),
        ],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "fit_intercept": ["boolean"],
        "class_weight": [dict, StrOptions({"balanced"}), None],
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    # -- fitting -------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
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

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, sample_weight, classes=None, incremental=False)

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

    def _fit(self, X, y, sample_weight, classes, incremental):
        """Fit or update; on any error the estimator is left as it was."""
        # Validation sets these before the training can fail; a failed call must
        # not leave them changed, or a later partial_fit would take the
        # estimator for one that had been fitted.
        before = {k: self.__dict__[k] for k in _DATA_ATTRIBUTES if k in self.__dict__}
        try:
            return self._fit_or_raise(X, y, sample_weight, classes, incremental)
        except BaseException:
            for key in _DATA_ATTRIBUTES:
                self.__dict__.pop(key, None)
            self.__dict__.update(before)
            raise

    def _fit_or_raise(self, X, y, sample_weight, classes, incremental):
        if incremental and self.early_stopping:
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
                return self._train(X, y, sample_weight, objective, None,
                                   incremental, first_call)
            finally:
                objective.close()  # the blocks leave the workers' memory
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
        if self.early_stopping:
            train, val = self._validation_split(y)
            objective = self._bind(X[train], y[train], _take(sw, train))
            validation = self._bind(X[val], y[val], _take(sw, val))
        else:
            objective = self._bind(X, y, sw, incremental)
            validation = None
        return self._train(X, y, sample_weight, objective, validation, incremental,
                           first_call)

    def _train(self, X, y, sample_weight, objective, validation, incremental,
               first_call):
        """Run the optimizer on a bound objective and set the fitted attributes."""
        optimizer = get_optimizer(self.optimizer)
        fitted = hasattr(self, "coef_") and hasattr(self, "_state")
        if fitted and (not first_call if incremental else self.warm_start):
            params = self._params(X.dtype)
            state = self._state
            if params.shape != objective.shape:
                raise ValueError(
                    f"warm_start=True needs the classes and the number of features "
                    f"of the previous fit (parameters of shape {params.shape}), but "
                    f"these data need shape {objective.shape}; set warm_start=False."
                )
        else:
            params = objective.init_params()
            state = optimizer.init_state(objective, self.random_state)

        max_iter = 1 if incremental else self.max_iter
        context = self._init_callback_context(max_subtasks=max_iter)
        metadata = None if sample_weight is None else {"sample_weight": sample_weight}
        context.call_on_fit_task_begin(estimator=self, X=X, y=y, metadata=metadata)
        run = self._run(
            optimizer, objective, validation, params, state, max_iter,
            context, dict(X=X, y=y, metadata=metadata),
        )
        if not incremental and not run["stopped"] and self._stops(optimizer):
            warnings.warn(
                f"{type(self).__name__} ran max_iter={max_iter} iterations and the "
                f"{'validation score' if validation else 'objective'} was still "
                f"improving by more than tol={self.tol}; increase max_iter, raise "
                "tol or scale the data.",
                ConvergenceWarning,
            )

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
                        f"partial_fit call, {self.classes_!r}."
                    )
                if first_call:
                    self.classes_ = classes
            self._check_labels(y, "were declared in the first partial_fit call")
        else:
            self.classes_ = np.unique(y)
        if self.classes_.shape[0] < 2:
            raise ValueError(
                f"The data have only one class ({self.classes_[0]!r}); a classifier "
                "needs samples of at least 2 classes."
            )

    def _check_labels(self, y, where):
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"y has labels {unknown.tolist()!r} that are not among the classes "
                f"that {where}: {self.classes_.tolist()!r}."
            )

    def _sample_weights(self, y_index, sample_weight, X, incremental):
        sw = _check_sample_weight(sample_weight, X.shape[0], X.dtype)
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
        ) if self.class_weight == "balanced" else np.array(
            [self.class_weight.get(c, 1.0) for c in self.classes_]
        )
        w = per_class.astype(X.dtype)[y_index]
        return w if sw is None else _check_sample_weight(w * sw, X.shape[0], X.dtype)

    def _bind(self, X, y, sample_weight, incremental=False):
        """The objective of this model's loss and penalty on validated data."""
        y_index = np.searchsorted(self.classes_, y)
        return LinearObjective(
            X,
            y_index,
            len(self.classes_),
            self._make_loss(),
            make_penalty(self.penalty, self.alpha, self.l1_ratio),
            fit_intercept=self.fit_intercept,
            sample_weight=self._sample_weights(y_index, sample_weight, X, incremental),
        )

    def _stops(self, optimizer):
        """Whether a stopping rule applies: a tol and an optimizer that converges."""
        return self.tol is not None and optimizer.converges

    def _run(self, optimizer, objective, validation, params, state, max_iter,
             context, data):
        """Iterate the optimizer under the stopping rule and the callbacks.

        The rule watches the objective, or with ``early_stopping`` the
        validation accuracy, whose best iterate is the one kept.
        """
        curve, scores = [], []
        best_score, best_params = -np.inf, None
        stopped = False
        iterates = optimizer.iterate(objective, params, state, max_iter)
        last = None
        for _ in range(max_iter):
            task = context.subcontext(task_name="iteration")
            task.call_on_fit_task_begin(estimator=self, **data)
            current = next(iterates, None)
            if current is None:  # the optimizer stopped by its own test
                task.call_on_fit_task_end(estimator=self)
                stopped = True
                break
            last = current
            if not np.isfinite(last.value) or not np.all(np.isfinite(last.params)):
                raise ValueError(
                    f"Training diverged at iteration {last.state['n_iter']}: the "
                    f"objective is {last.value}. Scale the features (for instance "
                    "with StandardScaler) or lower the optimizer's learning_rate; "
                    "coef_ and intercept_ were not updated."
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
                stopped = self._converged(watched)
            if asked or stopped:
                break
        if last is None:  # no iteration was possible: the model stays at the start
            return {"params": params, "state": state, "curve": curve,
                    "scores": scores, "stopped": stopped}
        return {
            "params": best_params if validation is not None else last.params,
            "state": last.state,
            "curve": curve,
            "scores": scores,
            "stopped": stopped,
        }

    def _converged(self, curve):
        """True when the last n_iter_no_change values did not improve on the
        best earlier value by more than tol (lower is better)."""
        k = self.n_iter_no_change
        if len(curve) <= k:
            return False
        return min(curve[-k:]) > min(curve[:-k]) - self.tol

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
        X = validate_data(
            self, X, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
        )
        return np.asarray(X @ self.coef_.T) + self.intercept_

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
        X, y = validate_data(
            self, X, y, accept_sparse="csr", dtype=[np.float64, np.float32], reset=False
        )
        self._check_labels(y, "the model was fitted on")
        return self._bind(X, y, sample_weight).value(self._params(X.dtype))
