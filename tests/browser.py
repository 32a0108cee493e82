"""Serve the built HTML book on 127.0.0.1 and inspect its pages in Chromium (Debian's, driven by Playwright).

Used by ``tests/test_book_browser.py`` and by ``make screenshot``
(``python tests/browser.py screenshot _build/html OUT.png [PAGE]``).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import sys
import threading
from pathlib import Path

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Flags for a sandboxed root user on a machine with no outside network (see ../shared/design.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# The one console error every Jupyter Book 1 page shows (sphinx-thebe includes its script twice).
ALLOWED_ERRORS = ("Identifier 'THEBE_JS_URL' has already been declared",)
SKIP_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static", "reports", "@jupyter-widgets"}
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
# The narrowest common laptop screen: at this width the book's content column is about 790 px.
VIEWPORT = {"width": 1366, "height": 900}
# What must fit the content column: display math (and MathJax's rendering of it), everything a code cell
# shows (its output area, printed text, tables, figures), and the page's own tables and figures. Code cells'
# *inputs* scroll sideways by design and are not checked.
FITS_COLUMN = ("div.math, mjx-container[display='true'], div.cell_output, div.cell_output pre, "
               "div.cell_output .output, table, figure, img")
_OVERFLOWS = """([selector, slack]) => {
    document.querySelectorAll('details').forEach(d => { d.open = true; });  // hidden solutions count too
    document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
    const column = document.querySelector('article.bd-article') || document.querySelector('article');
    if (!column) return [];
    const box = column.getBoundingClientRect(), style = getComputedStyle(column);
    const left = box.left + parseFloat(style.paddingLeft), right = box.right - parseFloat(style.paddingRight);
    const near = e => { for (let n = e; n; n = n.parentElement) {
        if (n.tagName === 'SECTION' && n.id) return '#' + n.id; } return '#top'; };
    const out = [];
    for (const e of column.querySelectorAll(selector)) {
        if (e.closest('.cell_input')) continue;
        const r = e.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        const hidden = e.scrollWidth - e.clientWidth;            // content cut off inside a scrolling box
        const beyond = Math.max(r.right - right, left - r.left);  // the box itself outside the column
        if (hidden > slack || beyond > slack) {
            const name = e.tagName.toLowerCase() + Array.from(e.classList).slice(0, 3).map(c => '.' + c).join('');
            out.push({name, near: near(e), width: Math.round(Math.max(r.width, e.scrollWidth)),
                      column: Math.round(right - left), text: (e.innerText || e.alt || '').trim().slice(0, 60)});
        }
    }
    return out;
}"""


def book_pages(html_dir: Path) -> list[str]:
    """Every HTML page of the built book, as paths relative to ``html_dir``."""
    return sorted(str(p.relative_to(html_dir)) for p in html_dir.rglob("*.html")
                  if not SKIP_DIRS.intersection(p.relative_to(html_dir).parts))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@contextlib.contextmanager
def serve(html_dir: Path):
    """Serve ``html_dir`` on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def browser():
    """A headless Chromium (Debian's package) launched through Playwright."""
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Chromium not found at {CHROMIUM}: run 'make chromium' (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def check_page(b, url: str, timeout_ms: int = 30_000) -> tuple[list[str], dict]:
    """Visit ``url``; return the problems found and a few facts about the page.

    Problems: page errors and console errors (but the allowed one), failed requests, HTTP errors,
    images that did not load, widgets that did not render, math that MathJax did not typeset, Markdown
    tables printed by a cell but shown as a paragraph of pipes, and (at 1366 px) any display equation,
    cell output, table or figure wider than the content column (:func:`overflows`).
    """
    problems: list[str] = []
    page = b.new_page(viewport=VIEWPORT)

    def allowed(text: str) -> bool:
        return any(a in text for a in ALLOWED_ERRORS)

    page.on("pageerror", lambda e: None if allowed(str(e)) else problems.append(f"page error: {e}"))
    page.on("console", lambda m: problems.append(f"console error: {m.text} ({m.location.get('url')})")
            if m.type == "error" and not allowed(m.text) else None)
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    try:
        page.goto(url, wait_until="networkidle", timeout=timeout_ms)
        n_widgets = page.locator(WIDGET_VIEW).count()
        if n_widgets:
            try:
                page.wait_for_function(
                    """sel => Array.from(document.querySelectorAll(sel)).every(s => {
                           const d = s.previousElementSibling;
                           return d && d.classList.contains('widget-subarea') && d.childElementCount > 0; })""",
                    arg=WIDGET_VIEW, timeout=timeout_ms)
            except Exception:  # noqa: BLE001 - reported as a problem below
                problems.append(f"{n_widgets} widget view(s), not all rendered")
        n_math = page.locator("div.math, span.math").count()
        if n_math:
            try:
                page.wait_for_function("() => document.querySelectorAll('mjx-container').length > 0",
                                       timeout=timeout_ms)
            except Exception:  # noqa: BLE001
                problems.append(f"{n_math} math element(s), none typeset by MathJax")
        sliders = page.locator(".widget-subarea .noUi-handle").count()
        if n_widgets and sliders and not _slider_switches_panel(page):
            problems.append("moving a widget slider did not change the panel shown (jslink to the Stack broken?)")
        broken = page.evaluate("""() => Array.from(document.images)
            .filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.currentSrc || i.src)""")
        problems.extend(f"image did not load: {src}" for src in broken)
        raw_tables = page.evaluate("""() => Array.from(document.querySelectorAll('article p'))
            .map(p => p.innerText).filter(t => /\\|\\s*[-\u2014\u2013:]+\\s*\\|/.test(t))
            .map(t => t.slice(0, 80))""")
        problems.extend(f"Markdown table shown as text, not rendered: {t!r}" for t in raw_tables)
        problems.extend(overflows(page))
        facts = {"widgets": n_widgets, "math": n_math, "sliders": sliders,
                 "images": page.evaluate("() => document.images.length"),
                 "title": page.title()}
    finally:
        page.close()
    return problems, facts


def overflows(page, slack_px: int = 1) -> list[str]:
    """Every display equation, cell output, table or figure of the open page wider than its content column.

    An element overflows when its box reaches outside the column or when its content is wider than its
    box (an equation or printed line cut off behind a scroll bar). Solutions hidden in dropdowns are opened
    first, so they are measured too. Each problem names the element, the section it is in and its text.
    """
    return [f"{o['name']} in {o['near']} is {o['width']} px wide, the content column {o['column']} px: "
            f"{o['text']!r}" for o in page.evaluate(_OVERFLOWS, [FITS_COLUMN, slack_px])]


_VISIBLE_IMAGES = """() => Array.from(document.querySelectorAll('.widget-subarea img'))
    .filter(i => i.offsetParent !== null).map(i => i.src.slice(-200))"""


def _slider_switches_panel(page) -> bool:
    """Press the right arrow on the first widget slider: with no kernel, does the panel shown change?"""
    before = page.evaluate(_VISIBLE_IMAGES)
    handle = page.locator(".widget-subarea .noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(300)
    after = page.evaluate(_VISIBLE_IMAGES)
    return bool(after) and after != before


def screenshot(html_dir: Path, out: Path, page_path: str = "index.html", selector: str | None = None) -> None:
    """Save a picture of one built page (the README's screenshot), scrolled to ``selector`` if given."""
    with serve(html_dir) as base, browser() as b:
        page = b.new_page(viewport={"width": 1280, "height": 800})
        page.goto(base + page_path, wait_until="networkidle")
        if selector:
            page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(1500)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        page.close()


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5, 6) or sys.argv[1] != "screenshot":
        sys.exit("usage: python tests/browser.py screenshot HTML_DIR OUT.png [PAGE [CSS_SELECTOR]]")
    screenshot(Path(sys.argv[2]), Path(sys.argv[3]), *sys.argv[4:])
