"""The built HTML book, visited page by page in a real browser.

``make test`` builds the book first; run ``make book`` before running this file alone.
"""

import pytest

import browser
from conftest import HTML

PAGES = browser.book_pages(HTML) if HTML.is_dir() else []


def test_book_is_built():
    assert (HTML / "index.html").is_file(), "no built book in _build/html: run 'make book' first"
    assert len(PAGES) >= 5, f"only {len(PAGES)} pages built: {PAGES}"


@pytest.fixture(scope="module")
def served():
    with browser.serve(HTML) as base, browser.browser() as b:
        yield base, b


@pytest.mark.browser
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_cleanly(served, page):
    base, b = served
    problems, facts = browser.check_page(b, base + page)
    assert not problems, f"{page}: " + "\n".join(problems)
    assert facts["title"], f"{page} has no title"


@pytest.mark.browser
def test_a_failing_page_is_detected(served, tmp_path):
    """The checker itself: a page with a broken image, a failed script, a thrown error and a Markdown table
    left as text is caught (a rendered table is not)."""
    base, b = served
    bad = HTML / "_test_broken_page.html"
    bad.write_text('<html><head><meta charset="utf-8"><title>x</title></head><body><img src="missing.png">'
                   '<script src="https://cdn.example.invalid/x.js"></script>'
                   '<script>throw new Error("boom")</script><article>'
                   '<p>| row | status |\n|\u2014|\u2014|\n| 6a | reproduced |</p>'
                   '<table><tr><td>| fine |</td></tr></table></article></body></html>')
    try:
        problems, _ = browser.check_page(b, base + bad.name)
    finally:
        bad.unlink()
    text = "\n".join(problems)
    assert "missing.png" in text and "boom" in text and "example.invalid" in text, text
    assert text.count("Markdown table shown as text") == 1 and "| row | status |" in text, text


@pytest.mark.browser
def test_overflow_is_detected(served):
    """At 1366 px: an equation cut off inside its scroll box, a printed line and a table wider than the content
    column are named with their section; an equation, output and figure that fit are not, nor is a wide input."""
    base, b = served
    bad = HTML / "_test_overflow_page.html"
    wide = '<span style="display:inline-block;width:1200px">wide</span>'
    bad.write_text('<html><head><meta charset="utf-8"><title>x</title></head><body>'
                   '<article class="bd-article" style="width:700px;padding:0 20px">'
                   f'<section id="eq"><div class="math" style="overflow-x:auto">{wide}</div>'
                   '<div class="math">fits</div></section>'
                   '<section id="out"><div class="cell_output"><pre style="overflow-x:auto">'
                   + "x" * 400 + '</pre></div><div class="cell_output"><pre>short</pre></div>'
                   f'<div class="cell_input"><pre style="overflow-x:auto">{"y" * 400}</pre></div></section>'
                   '<section id="tab"><table style="width:900px"><tr><td>t</td></tr></table>'
                   '<figure style="width:300px;margin:0"><img alt="ok" style="width:300px;height:10px"></figure>'
                   '</section></article></body></html>')
    try:
        page = b.new_page(viewport=browser.VIEWPORT)
        page.goto(base + bad.name)
        problems = browser.overflows(page)
        page.close()
    finally:
        bad.unlink()
    text = "\n".join(problems)
    assert len(problems) == 3, text
    assert "div.math in #eq" in text and "pre in #out" in text and "table in #tab" in text, text
    assert "the content column 700 px" in text and "yyy" not in text, text
