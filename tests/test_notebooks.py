"""Every lab in notebooks/ runs from a clean kernel with only the README's install, starts with the cell that
installs lstm_edu where it is missing, is stored without outputs and is in the table of contents."""

import shutil
import subprocess
import sys

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
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


def repository_url() -> str:
    """The one place the repository's URL is set: _config.yml's repository.url."""
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def install_cell(path) -> str:
    """The source of a lab's first code cell."""
    nb = nbformat.read(path, as_version=4)
    return next(c.source for c in nb.cells if c.cell_type == "code")


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


def run_install_cell(source: str, importable: bool) -> tuple[list, dict]:
    """Run a lab's install cell as IPython would, with ``lstm_edu`` importable or not, and ``%pip``
    recorded instead of run. Returns the magics called (name, line with ``{...}`` expanded) and the namespace."""
    calls, namespace = [], {}

    class Shell:
        def run_line_magic(self, name, line):
            calls.append((name, line.format(**namespace)))

    namespace["get_ipython"] = Shell
    code = TransformerManager().transform_cell(source)
    saved = sys.modules.get("lstm_edu")
    if not importable:
        sys.modules["lstm_edu"] = None            # import lstm_edu raises ImportError
    try:
        exec(compile(code, "<install cell>", "exec"), namespace)
    finally:
        if saved is None:
            sys.modules.pop("lstm_edu", None)
        else:
            sys.modules["lstm_edu"] = saved
    return calls, namespace


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lab_installs_lstm_edu_from_the_repository_only_where_it_is_missing(path):
    """The first code cell pip-installs the package from _config.yml's repository.url when `import lstm_edu`
    fails (Colab) and does nothing where it is installed (the book build, Binder, the README's .venv)."""
    source = install_cell(path)
    calls, namespace = run_install_cell(source, importable=True)
    assert calls == [], f"{path.name}: the install cell runs {calls} although lstm_edu is installed"
    assert namespace["REPOSITORY"] == repository_url(), (
        f"{path.name}: the install cell's REPOSITORY is {namespace['REPOSITORY']!r}, _config.yml's "
        f"repository.url is {repository_url()!r}; set them to the same URL")
    calls, _ = run_install_cell(source, importable=False)
    assert calls == [("pip", f'install --quiet "lstm_edu @ git+{repository_url()}"')]


def test_jupyterlab_is_installed():
    """The README's local instructions start `.venv/bin/jupyter lab`: make book's requirements bring it."""
    lab = shutil.which("jupyter-lab", path=str(ROOT / ".venv" / "bin")) or shutil.which("jupyter-lab")
    assert lab, "jupyter-lab is not installed (requirements.txt lists jupyterlab)"
    assert subprocess.run([lab, "--version"], capture_output=True, text=True, timeout=120).returncode == 0


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lab_executes_from_a_clean_kernel(path, tmp_path):
    """A copy of the lab alone in an empty folder (as Colab or a download has it) runs from a fresh kernel with
    only what the README installs; its install cell prints nothing (lstm_edu is there) and no cell fails."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.outputs == [], f"{path.name}: the install cell did something: {first.outputs}"
    assert list(tmp_path.iterdir()) == [], f"{path.name} wrote files: {sorted(tmp_path.iterdir())}"
