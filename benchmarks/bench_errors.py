"""Peak memory and time of a large statement that is refused: what saying its error costs.

    .venv/bin/python benchmarks/bench_errors.py                         # every case, ~60 MB files
    .venv/bin/python benchmarks/bench_errors.py --cases ofx-left-open --mb 100
    .venv/bin/python benchmarks/bench_errors.py --tree /tmp/before      # the code of another checkout

Generates into --out (default benchmarks/out/errors, git-ignored, emptied first) the
large files of bench_formats.py, each broken one way (a shape the stream gave up on, or
text read_text refuses), then reads each with its importer's parse() in a fresh process
and prints the error said, the seconds and the process's peak memory (harness.peak_kib,
its own high-water mark). `--tree DIR` imports beanclear from DIR (a `git worktree` of
an older commit: the figures before a change) instead of the installed package.

    ofx-left-open       an OFX 1.x statement whose last STMTTRN is never closed
    ofx-no-statement    the same with its STMTRS renamed: its lines are in no statement
    stripe-no-data      a Stripe `list` as `beanclear fetch` writes it, `data` renamed `items`
    camt-no-statement   a CAMT.053 file with its BkToCstmrStmt renamed
    mt940-garbled       an MT940 file with U+FFFD on its last line
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_formats  # noqa: E402
import harness  # noqa: E402

# case: (file name, maker, bytes a row of it takes, the source in bench_formats.CONFIG, its importer module)
CASES = {
    "ofx-left-open": ("checking.ofx", bench_formats.ofx_statement, 150, ("banks", "checking"), "ofx"),
    "ofx-no-statement": ("checking.ofx", bench_formats.ofx_statement, 150, ("banks", "checking"), "ofx"),
    "stripe-no-data": ("stripe_api.json", bench_formats.stripe_api_list, 630, ("channels", "stripe"), "stripe_api"),
    "camt-no-statement": ("camt053.xml", bench_formats.camt_statement, 290, ("banks", "usd"), "camt053"),
    "mt940-garbled": ("mt940.sta", bench_formats.mt940_statements, 200, ("banks", "eur"), "mt940"),
}


def broken(case: str, data: bytes) -> bytes:
    """The generated statement, broken as `case` says."""
    if case == "ofx-left-open":
        at = data.rindex(b"</STMTTRN>")
        return data[:at] + data[at + len(b"</STMTTRN>"):]
    if case == "ofx-no-statement":
        return data.replace(b"<STMTRS>", b"<STMTRSX>").replace(b"</STMTRS>", b"</STMTRSX>")
    if case == "stripe-no-data":
        return data.replace(b'"data": [', b'"items": [', 1)
    if case == "camt-no-statement":
        return data.replace(b"BkToCstmrStmt>", b"BkToCstmrAcctRpt>")
    if case == "mt940-garbled":
        at = data.rindex(b":86:")
        return data[:at + 4] + "\ufffd".encode() + data[at + 4:]
    raise ValueError(case)


def use_tree(root: Path) -> None:
    """beanclear imported from the checkout at `root` (its layout: ledger/, importers/, plugins/)."""
    modules = []
    for name, folder in (("beanclear", "ledger"), ("beanclear.importers", "importers"), ("beanclear.plugins", "plugins")):
        spec = importlib.util.spec_from_file_location(name, root / folder / "__init__.py",
                                                      submodule_search_locations=[str(root / folder)])
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        modules.append((spec, module))
    for spec, module in modules:
        spec.loader.exec_module(module)


def child(case: str, out: Path, tree: Path | None) -> dict:
    if tree is not None:
        use_tree(tree)
    import importlib

    from beanclear import config as config_mod
    from beanclear.importers.toolkit import StatementError
    name, _, _, (kind, source), module = CASES[case]
    config = config_mod.load(out / "config.yaml")
    importer = importlib.import_module(f"beanclear.importers.{module}").Importer(getattr(config, kind)[source],
                                                                               config)
    path = str(out / "statements" / case / name)
    start = time.perf_counter()
    try:
        importer.parse(path)
        said = "(no error)"
    except StatementError as exc:
        said = str(exc).replace(path, "FILE")
    return {"seconds": time.perf_counter() - start, "peak_mb": harness.peak_kib() / 1024, "said": said,
            "beanclear": str(Path(sys.modules["beanclear"].__file__).parent.parent)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--mb", type=float, default=60, help="size of each file, about (default 60)")
    parser.add_argument("--tree", type=Path, help="import beanclear from this checkout")
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "errors")
    parser.add_argument("--keep", action="store_true", help="the files generated before, as they are")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.out, args.tree)))
        return
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)
    (args.out / "statements").mkdir(parents=True, exist_ok=True)
    (args.out / "config.yaml").write_text(bench_formats.CONFIG, encoding="utf-8")
    print(f"beanclear from {args.tree or 'the installed package'}", flush=True)
    for case in args.cases:
        name, make, per_row, _, _ = CASES[case]
        path = args.out / "statements" / case / name
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            make(path, int(args.mb * 2**20 / per_row), random.Random(1))
            path.write_bytes(broken(case, path.read_bytes()))
        size = path.stat().st_size / 2**20
        command = [sys.executable, __file__, "--child", case, "--out", str(args.out)]
        if args.tree:
            command += ["--tree", str(args.tree)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(f"{case} failed:\n{done.stderr[-3000:]}")
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"{case:<18} {size:6.1f} MiB: {r['seconds']:6.1f} s, peak {r['peak_mb']:7,.0f} MiB  {r['said'][:150]}",
              flush=True)


if __name__ == "__main__":
    main()
