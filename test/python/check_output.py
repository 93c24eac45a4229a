#!/usr/bin/env python3
"""Load a cmtmedqa output directory the way trainers do and check it against its manifest.json.

Usage: check_output.py <out-dir> [<out-dir> ...]

For every shard: sha256 and byte size; the rows through Hugging Face `datasets`
(load_dataset("json") for .jsonl.gz, load_dataset("parquet") for .parquet) and, for Parquet,
through pyarrow with the exact Arrow schema; the record count; the column names and types of the
format; the token total from the annotation sidecar. Then the split totals, the whole directory
through the card's `configs:` (load_dataset(<out-dir>)), and every dataset_info.json entry the way
LLaMA-Factory resolves it. Prints one JSON object per directory; exits 1 on any mismatch.
Needs the venv from `bash scripts/python-env.sh`; runs offline.
"""
import gzip
import hashlib
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")

import datasets  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

datasets.disable_progress_bars()
datasets.logging.set_verbosity_error()

CMTMEDQA_COLUMNS = ["id", "cate1", "cate2", "instruction", "input", "output", "history"]
SHAREGPT_COLUMNS = ["id", "cate1", "cate2", "messages"]
PARQUET_SCHEMA = pa.schema(
    [pa.field(n, pa.string(), nullable=False) for n in CMTMEDQA_COLUMNS[:-1]]
    + [
        pa.field(
            "history",
            pa.list_(pa.field("element", pa.list_(pa.field("element", pa.string(), nullable=False)), nullable=False)),
            nullable=False,
        )
    ]
)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_features(fmt, ds, where, errors):
    cols = list(ds.column_names)
    want = SHAREGPT_COLUMNS if fmt == "sharegpt" else CMTMEDQA_COLUMNS
    if sorted(cols) != sorted(want):
        errors.append(f"{where}: columns {cols} != {want}")
        return
    f = ds.features
    for c in ["id", "cate1", "cate2"] + (["instruction", "input", "output"] if fmt != "sharegpt" else []):
        if getattr(f[c], "dtype", None) != "string":
            errors.append(f"{where}: column {c} is {f[c]}, not string")
    if fmt == "sharegpt":
        row = ds[0]["messages"] if len(ds) else []
        if len(ds) and not all(set(m.keys()) == {"role", "content"} and m["role"] in ("user", "assistant") for m in row):
            errors.append(f"{where}: messages are not [{{role, content}}]")
    else:
        for i in range(min(len(ds), 50)):
            h = ds[i]["history"]
            if not isinstance(h, list) or not all(isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in h):
                errors.append(f"{where}: record {i} history is not a list of [question, answer] pairs")
                break


def check_dir(out_dir):
    errors = []
    with open(os.path.join(out_dir, "manifest.json"), encoding="utf-8") as f:
        m = json.load(f)
    fmt = m["format"]
    tokenizer = m.get("tokenizer")
    by_split = {}
    for s in m["shards"]:
        path = os.path.join(out_dir, s["path"])
        where = s["path"]
        size = os.path.getsize(path)
        if size != s["bytes"]:
            errors.append(f"{where}: {size} bytes, manifest says {s['bytes']}")
        if sha256_of(path) != s["sha256"]:
            errors.append(f"{where}: sha256 differs from manifest")
        if fmt == "parquet":
            table = pq.read_table(path)
            if not table.schema.equals(PARQUET_SCHEMA):
                errors.append(f"{where}: arrow schema {table.schema} != {PARQUET_SCHEMA}")
            if table.num_rows != s["records"]:
                errors.append(f"{where}: pyarrow reads {table.num_rows} rows, manifest says {s['records']}")
            ds = datasets.load_dataset("parquet", data_files=[path], split="train")
        else:
            ds = datasets.load_dataset("json", data_files=[path], split="train")
        if len(ds) != s["records"]:
            errors.append(f"{where}: datasets reads {len(ds)} records, manifest says {s['records']}")
        check_features(fmt, ds, where, errors)
        agg = by_split.setdefault(s["split"], {"records": 0, "tokens": 0})
        agg["records"] += len(ds)
        if tokenizer and s.get("annotations"):
            total = 0
            with gzip.open(os.path.join(out_dir, s["annotations"]["path"]), "rt", encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        total += json.loads(line)["annotations"]["tokens"][tokenizer]
            if total != s.get("tokens"):
                errors.append(f"{where}: sidecar {tokenizer} tokens sum to {total}, manifest says {s.get('tokens')}")
            agg["tokens"] += total
    for split, c in m["counts"]["bySplit"].items():
        got = by_split.get(split, {"records": 0, "tokens": 0})
        if got["records"] != c["records"]:
            errors.append(f"split {split}: {got['records']} records read, manifest says {c['records']}")
        if tokenizer and c["records"] and got["tokens"] != c.get("tokens"):
            errors.append(f"split {split}: {got['tokens']} tokens, manifest says {c.get('tokens')}")

    loaded = {}
    if m["shards"]:
        # The card's configs: block (what `load_dataset(<dir>)` and LLaMA-Factory's script_url use).
        dd = datasets.load_dataset(out_dir)
        for split, c in m["counts"]["bySplit"].items():
            if c["records"]:
                n = len(dd[split]) if split in dd else 0
                loaded[split] = n
                if n != c["records"]:
                    errors.append(f"load_dataset(out_dir)[{split}]: {n} records, manifest says {c['records']}")
    # dataset_info.json, resolved as LLaMA-Factory does (dataset_dir = out_dir).
    with open(os.path.join(out_dir, "dataset_info.json"), encoding="utf-8") as f:
        info = json.load(f)
    for name, e in info.items():
        split = name.rsplit("_", 1)[1]
        if "file_name" in e:
            local = os.path.join(out_dir, e["file_name"])
            files = sorted(os.path.join(local, x) for x in os.listdir(local)) if os.path.isdir(local) else [local]
            exts = {os.path.splitext(x)[1][1:] for x in files}
            if len(exts) != 1 or list(exts)[0] not in ("json", "jsonl", "parquet", "csv", "arrow", "txt"):
                errors.append(f"dataset_info {name}: LLaMA-Factory cannot load file types {sorted(exts)}")
                continue
            builder = {"jsonl": "json"}.get(list(exts)[0], list(exts)[0])
            ds = datasets.load_dataset(builder, data_files=files, split="train")
        else:
            ds = datasets.load_dataset(os.path.join(out_dir, e["script_url"]), split=e.get("split", "train"))
        want = m["counts"]["bySplit"][split]["records"]
        if len(ds) != want:
            errors.append(f"dataset_info {name}: {len(ds)} records, manifest says {want}")
        cols = e.get("columns", {})
        missing = [v for v in cols.values() if v not in ds.column_names]
        if missing:
            errors.append(f"dataset_info {name}: columns {missing} not in the data")
    return {"dir": out_dir, "format": fmt, "ok": not errors, "errors": errors, "bySplit": by_split, "loadedByCard": loaded, "datasetInfoEntries": len(info)}


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    results = [check_dir(d) for d in argv[1:]]
    print(json.dumps({"datasets": datasets.__version__, "pyarrow": pa.__version__, "results": results}, ensure_ascii=False))
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
