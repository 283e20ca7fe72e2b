"""The tour and the README's promises."""

import contextlib
import io
import re
from pathlib import Path

import pytest

from sklinear_sgd.__main__ import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def tour(tmp_path_factory):
    """One run of the tour with --plots: its output and its plot folder."""
    folder = tmp_path_factory.mktemp("tour") / "plots"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--plots", str(folder)]) == 0
    return out.getvalue(), folder


def test_tour_prints_every_classifier_and_optimizer(tour):
    out = tour[0]
    for classifier in ("SVMClassifier", "SoftmaxClassifier"):
        for optimizer in ("random_search", "random_local_search", "gd", "sgd", "adam"):
            assert re.search(rf"{classifier}\s+{optimizer}\s+\d+", out)
    assert re.search(r"SoftmaxClassifier\s+lbfgs\s+\d+", out)
    assert "in attempt 0 the loss was" in out
    errors = [float(e) for e in re.findall(r"max relative error (\S+)", out)]
    assert len(errors) == 4 and max(errors) < 1e-4


def test_readme_quick_start_is_two_commands_and_ci_runs_the_second():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = section.split("```", 2)[1]
    lines = [line for line in block.splitlines() if line.strip()]
    assert len(lines) == 2
    assert "sklinear_sgd" in lines[0] and "pytest" in lines[1]
    assert "README.md" in (ROOT / ".ci" / "run").read_text()


def test_progress_bar_only_when_asked_and_available():
    from sklinear_sgd.__main__ import _progress_callbacks
    from sklinear_sgd._callbacks import HAS_CALLBACKS

    assert _progress_callbacks(False) == []
    callbacks = _progress_callbacks(True)
    if HAS_CALLBACKS:
        from sklearn.callback import ProgressBar

        assert len(callbacks) == 1 and isinstance(callbacks[0], ProgressBar)
    else:
        assert callbacks == []


def test_tour_writes_its_plots(tour):
    out, folder = tour
    for name in ("loss_curves.png", "decision_regions.png"):
        data = (folder / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert "Wrote" in out
