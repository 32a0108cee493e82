"""The lag sweep's widget on the built page, in headless Chromium with no kernel: moving each slider changes the
numbers and the figure shown, and nothing on the page is wider than the content column, before or after.

``make test`` builds the book first; run ``make book`` before running this file alone.
"""

import pytest

import browser
from conftest import HTML

PAGE = "book/experiments/time_lag.html"
# What the widget shows now: the visible pictures and the text of the visible tables of numbers.
_SHOWN = """() => {
    const visible = e => e.offsetParent !== null;
    const area = Array.from(document.querySelectorAll('.widget-subarea'));
    return {pictures: area.flatMap(a => Array.from(a.querySelectorAll('img'))).filter(visible)
                          .map(i => i.src.slice(-200)),
            numbers: area.flatMap(a => Array.from(a.querySelectorAll('table.sweep-cell'))).filter(visible)
                         .map(t => t.innerText)};
}"""
# The visible slider handles, in page order: the task slider first, then the lag slider of the task shown.
_HANDLES = ".widget-subarea .noUi-handle >> visible=true"


@pytest.fixture(scope="module")
def page():
    if not HTML.is_dir():
        pytest.skip("no built book in _build/html: run 'make book' first")
    assert (HTML / PAGE).is_file(), f"{PAGE} is not in the built book: is book/experiments/time_lag in _toc.yml?"
    with browser.serve(HTML) as base, browser.browser() as b:
        problems, facts = browser.check_page(b, base + PAGE)
        assert not problems, "\n".join(problems)
        tab = b.new_page(viewport=browser.VIEWPORT)
        tab.goto(base + PAGE, wait_until="networkidle")
        tab.wait_for_function("() => document.querySelectorAll('.widget-subarea .noUi-handle').length > 1",
                              timeout=30_000)
        yield tab
        tab.close()


def move(tab, slider: int) -> tuple[dict, dict]:
    """Press the right arrow on the ``slider``-th visible slider; what was shown before and after."""
    before = tab.evaluate(_SHOWN)
    handle = tab.locator(_HANDLES).nth(slider)
    handle.scroll_into_view_if_needed()
    handle.focus()
    tab.keyboard.press("ArrowRight")
    tab.wait_for_timeout(300)
    return before, tab.evaluate(_SHOWN)


def assert_changed(before: dict, after: dict, what: str) -> None:
    assert len(after["pictures"]) == 1 and len(after["numbers"]) == 1, f"{what}: shown {after}"
    assert after["pictures"] != before["pictures"], f"moving the {what} did not change the figure"
    assert after["numbers"] != before["numbers"], f"moving the {what} did not change the numbers"


@pytest.mark.browser
def test_each_slider_changes_the_figure_and_the_numbers_with_no_kernel(page):
    assert page.locator(_HANDLES).count() == 2, "expected a task slider and one lag slider visible"
    assert_changed(*move(page, 1), "lag slider of the first task")
    assert_changed(*move(page, 0), "task slider")
    assert_changed(*move(page, 1), "lag slider of the second task")
    assert page.locator(_HANDLES).count() == 2


@pytest.mark.browser
def test_nothing_is_wider_than_the_column_after_the_sliders_moved(page):
    move(page, 0)
    move(page, 1)
    problems = browser.overflows(page)
    assert not problems, "\n".join(problems)
