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
