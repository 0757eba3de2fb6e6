#!/usr/bin/python3
"""Execute notebooks with real Jupyter and the tlbrace kernel.

    /usr/bin/python3 test/execute_notebooks.py [--inplace] [--json] [NOTEBOOK...]

Without NOTEBOOK, runs every notebooks/*.ipynb of the repository. Each
notebook gets a fresh kernel started in the notebook's own directory, as
Jupyter does. Stops a notebook at its first failing cell and reports the
cell's number, its source and the error text (for tslab, which sends no
error message of its own, the text the cell wrote to stderr).

--inplace  writes each notebook that ran cleanly back to its file, without
           timing metadata, so that re-executing is a reviewable diff.
--json     prints one JSON result per notebook on stdout.
Exit status: 0 when every notebook ran cleanly, 1 otherwise.
"""
import argparse
import glob
import json
import os
import sys

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient
from nbclient.exceptions import CellControlSignal, CellExecutionError, DeadKernelError

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KERNEL = "tlbrace"


def error_text(cell):
    """What the failing cell said: error outputs first, else its stderr."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback") or [])
                         or f"{out.get('ename')}: {out.get('evalue')}")
    if not parts:
        parts = [out.get("text", "") for out in cell.get("outputs", [])
                 if out.get("output_type") == "stream" and out.get("name") == "stderr"]
    return "".join(parts).strip()


def kernelspec_metadata(name):
    spec = KernelSpecManager().get_kernel_spec(name)
    return {"name": name, "display_name": spec.display_name, "language": spec.language}


def execute(path, kernel, timeout, inplace):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    current = {"index": None}

    def on_cell_start(cell, cell_index):
        current["index"] = cell_index

    client = NotebookClient(
        nb,
        kernel_name=kernel,
        timeout=timeout,
        startup_timeout=120,
        record_timing=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
        on_cell_start=on_cell_start,
    )
    result = {"notebook": os.path.relpath(path, REPO), "ok": True,
              "cells": sum(c.cell_type == "code" for c in nb.cells)}
    try:
        client.execute()
    except (CellExecutionError, CellControlSignal, DeadKernelError, TimeoutError) as err:
        index = current["index"]
        cell = nb.cells[index] if index is not None else {}
        code_number = None
        if index is not None:
            code_number = sum(c.cell_type == "code" for c in nb.cells[: index + 1])
        text = error_text(cell) if cell else ""
        result.update(ok=False, cell=index, code_cell=code_number,
                      source=cell.get("source", "") if cell else "",
                      error=text or f"{type(err).__name__}: {err}".strip())
        return result
    if inplace:
        nb.metadata["kernelspec"] = kernelspec_metadata(kernel)
        nbformat.write(nb, path)
    return result


def describe(result):
    if result["ok"]:
        return f"ok   {result['notebook']} ({result['cells']} code cells)"
    where = ("before the first cell" if result["cell"] is None else
             f"cell {result['cell']} (code cell {result['code_cell']})")
    source = "\n".join("    | " + line for line in result["source"].splitlines())
    error = "\n".join("    " + line for line in result["error"].splitlines())
    return f"FAIL {result['notebook']}: {where}\n{source}\n  error:\n{error}"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("notebooks", nargs="*")
    ap.add_argument("--inplace", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--kernel", default=KERNEL)
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = ap.parse_args(argv)

    paths = args.notebooks or sorted(glob.glob(os.path.join(REPO, "notebooks", "*.ipynb")))
    ok = True
    for path in paths:
        result = execute(path, args.kernel, args.timeout, args.inplace)
        ok = ok and result["ok"]
        print(describe(result), file=sys.stderr)
        if args.json:
            print(json.dumps(result), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
