"""The gallery examples run to the end (the docs build also runs them)."""

import runpy
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("plot_*.py"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path, capsys):
    import matplotlib.pyplot as plt

    runpy.run_path(str(path), run_name="__main__")
    assert plt.get_fignums(), "an example draws a figure"
    assert capsys.readouterr().out  # and prints what it measured
    plt.close("all")


def test_there_are_examples():
    assert len(EXAMPLES) >= 2
