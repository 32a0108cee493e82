"""Sphinx extension of the book: the Colab launch button only on pages made from a ``.ipynb`` file.

Colab opens Jupyter notebooks (``.ipynb``) from GitHub, not the MyST Markdown chapters (``.md``) that
jupytext turns into notebooks on Binder or in JupyterLab. sphinx-book-theme offers its launch buttons on every
executed page; this handler, run after the theme's (priority 501), takes Colab out of the launch group of every
other page. Binder, which opens ``.md`` chapters through jupytext, stays everywhere.
"""


def drop_colab_outside_notebooks(app, pagename, templatename, context, doctree):
    """``html-page-context`` handler: remove the Colab entry from the launch buttons of non-``.ipynb`` pages."""
    if context.get("page_source_suffix") == ".ipynb":
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            group["buttons"] = [b for b in group["buttons"] if b.get("text") != "Colab"]


def setup(app):
    app.connect("html-page-context", drop_colab_outside_notebooks, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
