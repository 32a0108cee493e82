"""What the chapters show besides plots: interactive figures that work in the static HTML book with no kernel
running, source code shown highlighted (:func:`source`), and computed sentences as a list that wraps at the
page's column (:func:`bullets`) instead of printed lines cut off at its edge.

An ``interact`` output keeps only its first picture once the kernel is gone. Instead every setting's
figure is drawn in advance, the pictures go into an ``ipywidgets.Stack``, and a ``SelectionSlider``'s
``index`` is linked to the stack's ``selected_index`` with ``ipywidgets.jslink``: the link runs in the
browser, so moving the slider switches pictures in the saved page (see the project's design notes).
Two settings at once (:func:`slider_grid`) nest the stacks: one slider picks the outer stack's panel, the
other is linked to every inner stack, so the pair of sliders picks one of the precomputed pictures.
"""

from __future__ import annotations

import inspect
import io
import re

import ipywidgets
import matplotlib.pyplot as plt

from . import _checks

#: What :func:`source` shows: functions, classes, methods and modules.
_HAS_SOURCE = (inspect.isfunction, inspect.isclass, inspect.ismethod, inspect.ismodule)


def figure_to_image(fig, *, dpi: int = 90) -> ipywidgets.Image:
    """A matplotlib figure as a PNG ``ipywidgets.Image`` (the figure is closed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    # At most the width of the page's column: a wide figure is scaled down rather than cut off.
    return ipywidgets.Image(value=buffer.getvalue(), format="png", layout=ipywidgets.Layout(max_width="100%"))


def _checked(settings, name: str, draw, dpi: int) -> list:
    """``settings`` as a non-empty list; ``draw`` a function; ``dpi`` a positive integer."""
    settings = list(settings)
    if not settings:
        raise ValueError(f"{name} must hold at least one setting")
    if not callable(draw):
        raise TypeError(f"draw must be a function of the settings returning a matplotlib figure, "
                        f"got {type(draw).__name__}")
    _checks.positive_int("dpi", dpi)
    return settings


def _linked_slider(settings, description: str, stacks) -> ipywidgets.SelectionSlider:
    """A slider over ``settings`` whose ``index`` is ``jslink``-ed to each stack's ``selected_index``."""
    slider = ipywidgets.SelectionSlider(options=[str(s) for s in settings], index=0, description=description,
                                        continuous_update=True, style={"description_width": "initial"})
    for stack in stacks:
        ipywidgets.jslink((slider, "index"), (stack, "selected_index"))
    return slider


def slider_stack(settings, draw, *, description: str = "", dpi: int = 90) -> ipywidgets.VBox:
    """A slider over ``settings`` that shows the precomputed figure ``draw(setting)`` for each one.

    ``draw`` returns a matplotlib figure. Returns ``VBox([slider, stack])``; the slider's ``index`` is
    ``jslink``-ed to the stack's ``selected_index``, so it works in static HTML.
    """
    settings = _checked(settings, "settings", draw, dpi)
    stack = ipywidgets.Stack([figure_to_image(draw(s), dpi=dpi) for s in settings], selected_index=0)
    return ipywidgets.VBox([_linked_slider(settings, description, [stack]), stack])


def slider_panels(settings, panels, *, description: str = "") -> ipywidgets.VBox:
    """A slider over ``settings`` that shows ``panels[i]``, widgets made in advance, for the i-th setting.

    :func:`slider_stack` for any widgets (a picture beside a table of its numbers, or a further slider with its
    own panels): ``VBox([slider, Stack(panels)])``, the slider ``jslink``-ed, so it works in static HTML.
    """
    settings, panels = list(settings), list(panels)
    if not settings or len(panels) != len(settings):
        raise ValueError(f"panels must hold one widget per setting ({len(settings)} settings), got {len(panels)}")
    stack = ipywidgets.Stack(panels, selected_index=0)
    return ipywidgets.VBox([_linked_slider(settings, description, [stack]), stack])


def slider_grid(first, second, draw, *, descriptions: tuple[str, str] = ("", ""), dpi: int = 90) -> ipywidgets.VBox:
    """Two sliders, over ``first`` and ``second``, that show the precomputed figure ``draw(a, b)`` of each pair.

    Draws ``len(first) * len(second)`` figures. Returns ``VBox([slider over first, slider over second,
    stack])``: an outer ``Stack`` (one panel per setting of ``first``, ``jslink``-ed to the first slider)
    of inner stacks (one picture per setting of ``second``, each ``jslink``-ed to the second slider), so it
    works in static HTML.
    """
    first = _checked(first, "first", draw, dpi)
    second = _checked(second, "second", draw, dpi)
    if not (isinstance(descriptions, tuple) and len(descriptions) == 2
            and all(isinstance(d, str) for d in descriptions)):
        raise TypeError(f"descriptions must be a tuple of two strings, got {descriptions!r}")
    inner = [ipywidgets.Stack([figure_to_image(draw(a, b), dpi=dpi) for b in second], selected_index=0)
             for a in first]
    outer = ipywidgets.Stack(inner, selected_index=0)
    return ipywidgets.VBox([_linked_slider(first, descriptions[0], [outer]),
                            _linked_slider(second, descriptions[1], inner), outer])


def source(*objects):
    """The source code of ``objects`` (functions, classes, methods, modules) as one highlighted Python block.

    Returns an ``IPython.display.Markdown`` whose code fence the book renders highlighted, as it renders a
    chapter's own code (a printed ``inspect.getsource`` shows as plain monospace text); Jupyter shows it
    highlighted too. The book's stylesheet (``book/_css/book.css``) wraps its long lines at the column's edge.
    """
    from IPython.display import Markdown

    if not objects:
        raise ValueError("source needs at least one function, class, method or module")
    for obj in objects:
        if not any(test(obj) for test in _HAS_SOURCE):
            raise TypeError(f"source shows functions, classes, methods and modules, got {type(obj).__name__}")
    code = "\n\n".join(inspect.getsource(obj).rstrip("\n") for obj in objects)
    return Markdown(f"````python\n{code}\n````")


#: Characters with a meaning in Markdown (and ``$`` for math), escaped by :func:`bullets`.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~$])")


def bullets(lines):
    """Computed sentences as a Markdown list, one item per line of ``lines`` (strings), shown literally.

    Every Markdown character is escaped, so a line shows as written (``1-5_sequence``, ``[0.1 0.2]``, ``$``);
    runs of spaces collapse as in any paragraph. No lines show nothing. Returns an ``IPython.display.Markdown``.
    """
    from IPython.display import Markdown

    if isinstance(lines, str):
        raise TypeError("lines must be a list of strings, one per item, not one str")
    lines = list(lines)
    if not all(isinstance(line, str) for line in lines):
        raise TypeError(f"lines must be a list of strings, got {lines!r}")
    return Markdown("\n".join("- " + _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(line.split())) for line in lines))
