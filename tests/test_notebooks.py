"""The notebooks run top to bottom (``jupyter nbconvert --execute``) and show what they promise.

They read the project's shared data (``../shared`` beside the repository) and are skipped
when it is absent. The three together take well under five minutes on two CPU cores.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
NOTEBOOKS = ROOT / "notebooks"
NAMES = ("01_quickstart.ipynb", "02_retrain_on_your_corpus.ipynb", "03_error_analysis.ipynb")
TIMEOUT_S = 240  # per notebook; they take a fraction of it


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", NAMES)
def test_notebooks_are_committed_without_outputs(name):
    nb = _load(NOTEBOOKS / name)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, (
                f"{name}: clear the outputs before committing (jupyter nbconvert --clear-output --inplace)"
            )


def _execute(name: str, out_dir: Path) -> dict:
    pytest.importorskip("nbconvert", reason="needs the dev extras: pip install -e '.[dev]'")
    pytest.importorskip("ipykernel", reason="needs the dev extras: pip install -e '.[dev]'")
    if not (SHARED / "gold" / "dev.jsonl").is_file():
        pytest.skip(f"the shared data is absent ({SHARED})")
    env = dict(os.environ)
    # The kernel must import this checkout's arquote, installed or not.
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["ARQUOTE_SHARED"] = str(SHARED)
    env["ARQUOTE_WORK_DIR"] = str(out_dir / "work")  # what notebook 02 trains and saves
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    cmd = [
        sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
        "--output-dir", str(out_dir), f"--ExecutePreprocessor.timeout={TIMEOUT_S}",
        "--ExecutePreprocessor.kernel_name=python3", str(NOTEBOOKS / name),
    ]
    run = subprocess.run(cmd, cwd=NOTEBOOKS, env=env, capture_output=True, text=True,
                         timeout=TIMEOUT_S + 60)
    assert run.returncode == 0, f"{name} failed:\n{run.stderr[-4000:]}"
    nb = _load(out_dir / name)
    for i, cell in enumerate(nb["cells"]):
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", f"{name} cell {i}: {output.get('ename')}"
            # A failing _repr_html_ does not stop a notebook: IPython prints a traceback.
            text = "".join(output.get("text", ""))
            assert "Traceback" not in text, f"{name} cell {i} printed a traceback:\n{text[-2000:]}"
    return nb


def _outputs(nb: dict, mime: str) -> list[str]:
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if mime in data:
                found.append("".join(data[mime]) if isinstance(data[mime], list) else data[mime])
    return found


def _stdout(nb: dict) -> str:
    return "".join("".join(o.get("text", "")) for c in nb["cells"] for o in c.get("outputs", [])
                   if o["output_type"] == "stream")


@pytest.mark.slow
def test_quickstart_runs(tmp_path):
    nb = _execute(NAMES[0], tmp_path)
    html = "\n".join(_outputs(nb, "text/html"))
    assert 'class="aq-quote' in html and 'dir="rtl"' in html  # the document displayed itself
    assert 'class="dataframe' in html                         # the DataFrames
    assert len(_outputs(nb, "image/png")) >= 1                 # the per-speaker plot


@pytest.mark.slow
def test_retrain_runs(tmp_path):
    nb = _execute(NAMES[1], tmp_path)
    out = _stdout(nb)
    assert "30 documents read back from doccano, 30 identical" in out
    assert "saved to" in out and "QUOTE" in out  # trained, evaluated (the table)
    assert 'class="aq-compare' in "\n".join(_outputs(nb, "text/html"))


@pytest.mark.slow
def test_error_analysis_runs(tmp_path):
    nb = _execute(NAMES[2], tmp_path)
    html = "\n".join(_outputs(nb, "text/html"))
    assert html.count('class="aq-compare"') == 3 and "aq-miss" in html
    assert len(_outputs(nb, "image/png")) >= 2
