"""Every lab in notebooks/ runs from a clean kernel, is stored without outputs and is in the table of contents."""

import nbformat
import pytest
import yaml
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def toc_files() -> set[str]:
    """Every file named in _toc.yml (without suffix)."""
    found = set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("file", "root"):
                    found.add(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(yaml.safe_load((ROOT / "_toc.yml").read_text()))
    return found


def test_there_are_labs():
    assert NOTEBOOKS, "notebooks/ holds no .ipynb lab"


def test_every_page_and_lab_is_in_the_toc():
    pages = {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "book").rglob("*.md")
             if "_build" not in p.parts and "_vendor" not in p.parts}
    pages |= {str(p.relative_to(ROOT).with_suffix("")) for p in NOTEBOOKS}
    toc = toc_files()
    assert pages - toc == set(), f"pages missing from _toc.yml: {sorted(pages - toc)}"
    missing = {f for f in toc if not any((ROOT / (f + s)).is_file() for s in (".md", ".ipynb"))}
    assert missing == set(), f"_toc.yml names files that do not exist: {sorted(missing)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lab_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them before committing"


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lab_executes_from_a_clean_kernel(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
