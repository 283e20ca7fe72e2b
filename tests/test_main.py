"""The tour and the README's promises."""

import contextlib
import io
import re
import subprocess
import sys
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


def _fail_if_called(*args, **kwargs):
    raise AssertionError("the tour ran although --plots cannot write its plots")


def test_plots_without_matplotlib_fails_before_any_work(tmp_path, monkeypatch, capsys):
    import sklinear_sgd.__main__ as tour_module

    # None in sys.modules makes "import matplotlib" raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    monkeypatch.setattr(tour_module, "load_digits", _fail_if_called)
    monkeypatch.setattr(tour_module, "_fit_table", _fail_if_called)
    folder = tmp_path / "plots"
    assert main(["--plots", str(folder)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "--plots needs matplotlib" in captured.err
    assert "pip install matplotlib" in captured.err and ".[plots]" in captured.err
    assert not folder.exists()


def test_plots_without_matplotlib_exits_non_zero_from_the_command_line(tmp_path):
    # The command as a user runs it, with matplotlib made unimportable first.
    code = (
        "import runpy, sys; sys.modules['matplotlib'] = None; "
        "sys.argv = ['sklinear_sgd', '--plots', sys.argv[1]]; "
        "runpy.run_module('sklinear_sgd', run_name='__main__', alter_sys=True)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "plots")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "pip install matplotlib" in result.stderr


def test_plots_into_a_path_that_is_a_file_fails_before_any_work(tmp_path, monkeypatch,
                                                                 capsys):
    pytest.importorskip("matplotlib")
    import sklinear_sgd.__main__ as tour_module

    monkeypatch.setattr(tour_module, "load_digits", _fail_if_called)
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert main(["--plots", str(not_a_folder)]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "cannot create the folder" in captured.err


def test_readme_and_docs_name_every_extra():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    install = (ROOT / "README.md").read_text().split("## Install\n", 1)[1].split("\n## ", 1)[0]
    index = (ROOT / "docs" / "index.rst").read_text()
    for extra in extras:
        assert f"| `{extra}` |" in install, extra
        assert f"``{extra}``" in index, extra
