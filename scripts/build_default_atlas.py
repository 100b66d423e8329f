"""Build the bundled default atlas in src/sanctuary_atlas/data/default_atlas/.

    .venv/bin/python scripts/build_default_atlas.py [--data ../shared/data] [--store FULL.duckdb]

Builds a full store from the public records (the same pipeline as `sanctuary-atlas build`) in a
temporary folder — or reuses ``--store``, a store built from those records — and exports its
published aggregates as Parquet with a manifest (see sanctuary_atlas/default_atlas/). Running it
again on the same records gives the same bytes; the test suite checks that the committed bundle
is what these records give.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import sanctuary_atlas
from sanctuary_atlas.default_atlas import DEFAULT_BUNDLE
from sanctuary_atlas.default_atlas.export import export_default_atlas
from sanctuary_atlas.records import DEFAULT_RECORDS, build_from_records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_RECORDS, help="records folder")
    parser.add_argument("--store", type=Path, help="a store already built from --data")
    parser.add_argument("--out", type=Path, default=DEFAULT_BUNDLE, help="bundle folder")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "atlas.duckdb"
        if args.store:
            shutil.copyfile(args.store, store)  # opened for writing: migrated, never changed
        with sanctuary_atlas.open(store) as atlas:
            build_from_records(atlas, args.data, say=print)
        # written beside the bundle, then swapped in: a failed export leaves the old one whole
        staging = args.out.with_name(args.out.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        manifest = export_default_atlas(store, staging, args.data)
    shutil.rmtree(args.out, ignore_errors=True)
    staging.rename(args.out)
    size = sum(p.stat().st_size for p in args.out.iterdir())
    panel = manifest["panel"]
    print(
        f"{args.out}: {size / 1e6:.2f} MB, {panel['cells']:,} panel cells "
        f"({panel['withheld']:,} withheld), {len(manifest['releases'])} release tables, "
        f"{time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
