"""lstm_edu.widgets.slider_grid: two sliders, each linked in the browser to the stacks it selects from."""

import ipywidgets
import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from lstm_edu import widgets  # noqa: E402


def draw(a, b):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, a], [0, b])
    return fig


def test_slider_grid_picks_one_picture_per_pair(monkeypatch):
    links, jslink = [], ipywidgets.jslink
    monkeypatch.setattr(ipywidgets, "jslink", lambda a, b: links.append((a, b)) or jslink(a, b))
    drawn = []
    box = widgets.slider_grid([1, 2], [3, 4, 5], lambda a, b: drawn.append((a, b)) or draw(a, b),
                              descriptions=("a", "b"))
    first, second, outer = box.children
    assert drawn == [(1, 3), (1, 4), (1, 5), (2, 3), (2, 4), (2, 5)]
    assert [first.description, second.description] == ["a", "b"]
    assert list(first.options) == ["1", "2"] and list(second.options) == ["3", "4", "5"]
    assert isinstance(outer, ipywidgets.Stack) and len(outer.children) == 2
    assert all(isinstance(s, ipywidgets.Stack) and len(s.children) == 3 for s in outer.children)
    pictures = [img.value for s in outer.children for img in s.children]
    assert all(p[:4] == b"\x89PNG" for p in pictures) and len(set(pictures)) == 6
    assert links == [((first, "index"), (outer, "selected_index"))] + [
        ((second, "index"), (s, "selected_index")) for s in outer.children]


@pytest.mark.parametrize("args, kwargs, error, match", [
    (([], [1], draw), {}, ValueError, "first must hold"),
    (([1], (), draw), {}, ValueError, "second must hold"),
    (([1], [1], "draw"), {}, TypeError, "draw must be"),
    (([1], [1], draw), {"descriptions": "ab"}, TypeError, "descriptions must be"),
    (([1], [1], draw), {"dpi": 0}, ValueError, "dpi"),
])
def test_slider_grid_refuses_bad_input(args, kwargs, error, match):
    with pytest.raises(error, match=match):
        widgets.slider_grid(*args, **kwargs)


def test_source_is_a_highlighted_python_block_of_the_whole_objects():
    from lstm_edu import criteria
    import inspect
    shown = widgets.source(criteria.end_error, criteria.RollingWindow.st3).data
    assert shown.startswith("````python\n") and shown.endswith("\n````")
    for f in (criteria.end_error, criteria.RollingWindow.st3):
        assert inspect.getsource(f).rstrip("\n") in shown


@pytest.mark.parametrize("objects, error, match", [
    ((), ValueError, "at least one"),
    ((3,), TypeError, "got int"),
    (("def f(): pass",), TypeError, "got str"),
])
def test_source_refuses_what_has_no_source(objects, error, match):
    with pytest.raises(error, match=match):
        widgets.source(*objects)


def test_bullets_shows_each_line_literally_as_one_item():
    shown = widgets.bullets(["1-5_sequence: [0.1 0.2] *a* $x$", "  trial   0: ..TV # 2"]).data
    assert shown.split("\n") == [r"- 1\-5\_sequence: \[0\.1 0\.2\] \*a\* \$x\$", r"- trial 0: \.\.TV \# 2"]


def test_bullets_of_no_lines_show_nothing():
    assert widgets.bullets([]).data == ""


@pytest.mark.parametrize("lines", ["one line", ["ok", 3], [None]])
def test_bullets_refuses_anything_but_a_list_of_strings(lines):
    with pytest.raises(TypeError, match="lines must be"):
        widgets.bullets(lines)
