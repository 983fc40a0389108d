"""Executes notebooks through Jupyter's .NET (C#) kernel into a folder; called by .ci/jupyter-run.

Each notebook is read, its cell tagged "parameters" gets the -p assignments appended (papermill is not
packaged in Debian; this is what papermill's injected cell does, in the same cell), and it is executed
with nbclient, the library behind `jupyter nbconvert --execute`, in the notebook's own folder (so that
`#r "../lib/..."` resolves as in Jupyter). The executed copy goes to the output folder; the original is
never written. Consecutive stream outputs are merged as nbconvert's coalesce_streams and the notebook
front ends do. Stops at the first failing notebook with "notebook, cell N: error" and exit code 1.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

KERNEL = ".net-csharp"


def csharp_literal(text):
    if text in ("true", "false"):
        return text
    if re.fullmatch(r"-?\d+", text):
        return text
    if re.fullmatch(r"-?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", text):
        return text
    return json.dumps(text, ensure_ascii=False)


def inject(nb, parameters, name):
    if not parameters:
        return
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            lines = "".join(f"{k} = {csharp_literal(v)};\n" for k, v in parameters)
            source = cell.source if cell.source.endswith("\n") else cell.source + "\n"
            cell.source = source + "// Parameters set by .ci/jupyter-run (-p)\n" + lines
            return
    sys.exit(f"{name}: -p was given, but no code cell is tagged \"parameters\"")


def coalesce_streams(nb):
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged = []
        for output in cell.outputs:
            if (
                output.output_type == "stream"
                and merged
                and merged[-1].output_type == "stream"
                and merged[-1].name == output.name
            ):
                merged[-1].text += output.text
            else:
                merged.append(output)
        cell.outputs = merged


def listening_addresses(pid):
    """The TCP addresses the kernel process (or its children) listens on, from `ss -ltnpH`."""
    pids = {str(pid)}
    try:
        children = subprocess.run(
            ["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        pids.update(children)
    except FileNotFoundError:
        pass
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        if any(f"pid={p}," in line for p in pids):
            found.append(line.split()[3])
    return found


def check_loopback(client, name):
    pid = client.km.provisioner.process.pid
    addresses = []
    for _ in range(100):  # the HTTP API comes up shortly after the kernel starts
        addresses = [a for a in listening_addresses(pid) if not a.endswith(tuple(f":{p}" for p in client.km.ports))]
        if addresses:
            break
        time.sleep(0.1)
    public = [a for a in addresses if not (a.startswith("127.") or a.startswith("[::1]") or a.startswith("localhost"))]
    print(f"  kernel listens on {', '.join(addresses) or 'nothing besides the Jupyter ports'}")
    if not addresses:
        sys.exit(f"{name}: could not see the kernel's HTTP API listening (ss -ltnp)")
    if public:
        sys.exit(f"{name}: the .NET kernel's HTTP API listens beyond loopback: {', '.join(public)}")


def describe(cell, error):
    """The error; for a compilation error (the .NET kernel sends the diagnostics on stderr) the first one."""
    if error.evalue == "compilation error":
        for output in cell.outputs:
            if output.output_type == "stream" and output.name == "stderr":
                for line in output.text.splitlines():
                    if ": error " in line:
                        return line.strip()
    return f"{error.ename}: {error.evalue}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+")
    parser.add_argument("--out", required=True)
    parser.add_argument("-p", "--parameter", action="append", default=[])
    parser.add_argument("--timeout-per-cell", type=float, default=1800)
    parser.add_argument("--check-loopback", action="store_true")
    args = parser.parse_args()

    parameters = []
    for p in args.parameter:
        if "=" not in p:
            sys.exit(f"-p needs NAME=VALUE, got '{p}'")
        k, v = p.split("=", 1)
        parameters.append((k.strip(), v))

    notebooks = []
    for item in args.notebooks:
        if os.path.isdir(item):
            for root, dirs, files in os.walk(item):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != ".ipynb_checkpoints")
                for f in sorted(files):
                    if f.endswith(".ipynb"):
                        notebooks.append((os.path.join(root, f), os.path.relpath(os.path.join(root, f), item)))
        elif os.path.isfile(item):
            notebooks.append((item, os.path.basename(item)))
        else:
            sys.exit(f"{item}: no such notebook or folder")
    notebooks.sort(key=lambda n: n[0])

    os.makedirs(args.out, exist_ok=True)
    checked = False
    for path, relative in notebooks:
        target = os.path.join(args.out, relative)
        if os.path.abspath(target) == os.path.abspath(path):
            sys.exit(f"{path}: --out would overwrite the notebook itself; committed notebooks are written by rnnbook")
        nb = nbformat.read(path, as_version=4)
        inject(nb, parameters, path)
        client = NotebookClient(
            nb,
            kernel_name=KERNEL,
            timeout=args.timeout_per_cell,
            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
            record_timing=False,
        )
        start = time.monotonic()
        failure = None
        with client.setup_kernel():
            if args.check_loopback and not checked:
                check_loopback(client, path)
                checked = True
            for index, cell in enumerate(nb.cells):
                try:
                    client.execute_cell(cell, index)
                except CellTimeoutError as e:
                    failure = f"cell {index + 1}: timed out after {args.timeout_per_cell:g} s: {e}"
                    break
                except CellExecutionError as e:
                    failure = f"cell {index + 1}: {describe(cell, e)}"
                    break
        elapsed = time.monotonic() - start
        coalesce_streams(nb)
        os.makedirs(os.path.dirname(os.path.abspath(target)), exist_ok=True)
        nbformat.write(nb, target)
        if failure:
            print(f"FAILED  {path}  {elapsed:.1f} s  -> {target}")
            print(f"{path}, {failure}", file=sys.stderr)
            sys.exit(1)
        print(f"passed  {path}  {elapsed:.1f} s  -> {target}", flush=True)
    print(f"jupyter-run: {len(notebooks)} notebook{'s' if len(notebooks) != 1 else ''} executed by Jupyter's .NET kernel")


if __name__ == "__main__":
    main()
