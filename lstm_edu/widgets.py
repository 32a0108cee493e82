"""Interactive figures that work in the static HTML book, with no kernel running.

An ``interact`` output keeps only its first picture once the kernel is gone. Instead every setting's
figure is drawn in advance, the pictures go into an ``ipywidgets.Stack``, and a ``SelectionSlider``'s
``index`` is linked to the stack's ``selected_index`` with ``ipywidgets.jslink``: the link runs in the
browser, so moving the slider switches pictures in the saved page (see the project's design notes).
"""

from __future__ import annotations

import io

import ipywidgets
import matplotlib.pyplot as plt

from . import _checks


def figure_to_image(fig, *, dpi: int = 90) -> ipywidgets.Image:
    """A matplotlib figure as a PNG ``ipywidgets.Image`` (the figure is closed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return ipywidgets.Image(value=buffer.getvalue(), format="png")


def slider_stack(settings, draw, *, description: str = "", dpi: int = 90) -> ipywidgets.VBox:
    """A slider over ``settings`` that shows the precomputed figure ``draw(setting)`` for each one.

    ``draw`` returns a matplotlib figure. Returns ``VBox([slider, stack])``; the slider's ``index`` is
    ``jslink``-ed to the stack's ``selected_index``, so it works in static HTML.
    """
    settings = list(settings)
    if not settings:
        raise ValueError("settings must hold at least one setting")
    if not callable(draw):
        raise TypeError(f"draw must be a function setting -> matplotlib figure, got {type(draw).__name__}")
    _checks.positive_int("dpi", dpi)
    stack = ipywidgets.Stack([figure_to_image(draw(s), dpi=dpi) for s in settings], selected_index=0)
    slider = ipywidgets.SelectionSlider(options=[str(s) for s in settings], index=0, description=description,
                                        continuous_update=True)
    ipywidgets.jslink((slider, "index"), (stack, "selected_index"))
    return ipywidgets.VBox([slider, stack])
