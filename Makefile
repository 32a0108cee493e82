# The two commands of the README:
#   make book   builds the HTML book into _build/html (every page executed from scratch, warnings are errors)
#   make test   builds the book, then runs every test, the browser test of the built book included
# Both set up everything they need on a fresh machine: a virtual environment in .venv with the
# requirements, and (for make test) Debian's Chromium for the browser test.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test chromium screenshot clean

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -e ".[test]"
	touch $(STAMP)

book: $(STAMP)
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(BIN)/jupyter-book build . -W -n --keep-going

# Debian's chromium (the browser test drives it through Playwright; Playwright's own browser
# download is not needed).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser test"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) chromium book
	$(BIN)/python -m pytest

# Regenerates the README's picture of a built page: the memory cell diagram of the gates chapter.
screenshot: $(STAMP) chromium
	$(BIN)/python tests/browser.py screenshot _build/html book/images/screenshot.png \
	  book/lstm/gates.html '#gates-fig-cell'

clean:
	rm -rf _build
