"""Sphinx configuration of the sklinear_sgd documentation."""

import sklinear_sgd

project = "sklinear_sgd"
author = "The sklinear_sgd developers"
copyright = "2026, The sklinear_sgd developers"
version = release = sklinear_sgd.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

autosummary_generate = True
templates_path = ["_templates"]
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]

html_theme = "pydata_sphinx_theme"
html_title = "sklinear_sgd"

intersphinx_mapping = {}

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
}

# scikit-learn's metadata-routing setters carry references into its own docs.
autodoc_default_options = {
    "exclude-members": (
        "set_fit_request, set_partial_fit_request, set_score_request, "
        "set_objective_request"
    ),
}
suppress_warnings = ["myst.header"]  # the included benchmark tables start at ###
