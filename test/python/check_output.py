#!/usr/bin/env python3
"""Load a cmtmedqa output directory the way trainers do and check it against its manifest.json.

Usage: check_output.py <out-dir> [<out-dir> ...]

For every shard: sha256 and byte size; the rows through Hugging Face `datasets`
(load_dataset("json") for .jsonl.gz, load_dataset("parquet") for .parquet) and, for Parquet,
through pyarrow with the exact Arrow schema; the record count; the column names and types of the
format; the token total from the annotation sidecar. Then the split totals, the whole directory
through the card's `configs:` (load_dataset(<out-dir>)), and every dataset_info.json entry the way
LLaMA-Factory resolves it once copied into a LLaMA-Factory-style data/ folder, and rejects.jsonl. Prints one JSON object per directory; exits 1 on any mismatch.
Needs the venv from `bash scripts/python-env.sh`; runs offline.
"""
import gzip
import hashlib
import json
import os
import shutil
import sys
import tempfile

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


FILEEXT2TYPE = {"arrow": "arrow", "csv": "csv", "json": "json", "jsonl": "json", "parquet": "parquet", "txt": "text"}


def load_like_llamafactory(dataset_dir, e):
    """LLaMA-Factory's _load_single_dataset for local entries (load_from = script | file).

    Each data folder gets its own cache: `datasets` fingerprints a local folder by relative paths
    and mtimes, so two same-named outputs copied within one second would share a cache entry.
    """
    cache = os.path.join(os.path.dirname(dataset_dir), "hf-cache")
    if "script_url" in e:
        return datasets.load_dataset(path=os.path.join(dataset_dir, e["script_url"]), split=e.get("split", "train"), cache_dir=cache)
    local = os.path.join(dataset_dir, e["file_name"])
    files = [os.path.join(local, x) for x in os.listdir(local)] if os.path.isdir(local) else [local]
    kind = FILEEXT2TYPE.get(os.path.splitext(files[0])[-1][1:])
    if kind is None:
        raise ValueError(f"Allowed file types: {','.join(FILEEXT2TYPE)}")
    if any(kind != FILEEXT2TYPE.get(os.path.splitext(x)[-1][1:]) for x in files):
        raise ValueError("File types should be identical.")
    return datasets.load_dataset(path=kind, data_files=files, split=e.get("split", "train"), cache_dir=cache)


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
    # dataset_info.json, copied into a LLaMA-Factory-style data folder beside another dataset, and
    # every entry resolved as LLaMA-Factory's loader does (paths relative to dataset_dir).
    with open(os.path.join(out_dir, "dataset_info.json"), encoding="utf-8") as f:
        info = json.load(f)
    data_dir = os.path.join(tempfile.mkdtemp(prefix="cmt-llamafactory-"), "data")
    os.makedirs(data_dir)
    with open(os.path.join(data_dir, "identity.json"), "w", encoding="utf-8") as f:
        json.dump([{"instruction": "你是谁", "input": "", "output": "我是一个助手。"}] * 3, f, ensure_ascii=False)
    shutil.copytree(out_dir, os.path.join(data_dir, m["pipeline"]))
    merged = {"identity": {"file_name": "identity.json"}, **info}
    with open(os.path.join(data_dir, "dataset_info.json"), "w", encoding="utf-8") as f:
        json.dump(merged, f, ensure_ascii=False, indent=2)
    if len(load_like_llamafactory(data_dir, merged["identity"])) != 3:
        errors.append("LLaMA-Factory data folder: its own identity dataset no longer loads")
    for name, e in info.items():
        split = name.rsplit("_", 1)[1]
        try:
            ds = load_like_llamafactory(data_dir, e)
        except Exception as ex:  # noqa: BLE001 - reported as a mismatch
            errors.append(f"dataset_info {name}: LLaMA-Factory cannot load it: {ex}")
            continue
        want = m["counts"]["bySplit"][split]["records"]
        if len(ds) != want:
            errors.append(f"dataset_info {name}: {len(ds)} records, manifest says {want}")
        cols = e.get("columns", {})
        missing = [v for v in cols.values() if v not in ds.column_names]
        if missing:
            errors.append(f"dataset_info {name}: columns {missing} not in the data (loaded {ds.column_names})")
        elif e.get("formatting") == "sharegpt":
            tags = e.get("tags", {})
            if "system_tag" not in tags:
                errors.append(f"dataset_info {name}: sharegpt tags lack system_tag")
            roles = {msg[tags.get("role_tag", "role")] for row in ds.select(range(min(len(ds), 200))) for msg in row[cols.get("messages", "messages")]}
            known = {tags.get(k) for k in ("user_tag", "assistant_tag", "system_tag", "observation_tag", "function_tag")}
            if not roles <= known:
                errors.append(f"dataset_info {name}: roles {sorted(roles - known)} are not in its tags")
    shutil.rmtree(os.path.dirname(data_dir), ignore_errors=True)
    # rejects.jsonl loads as one table (one shape per field).
    rejects_path = os.path.join(out_dir, m["rejects"]["path"])
    if m["rejects"]["records"]:
        try:
            rj = datasets.load_dataset("json", data_files=[rejects_path], split="train")
            if len(rj) != m["rejects"]["records"]:
                errors.append(f"rejects.jsonl: {len(rj)} rows, manifest says {m['rejects']['records']}")
        except Exception as ex:  # noqa: BLE001
            errors.append(f"rejects.jsonl does not load with datasets {datasets.__version__}: {str(ex)[:300]}")
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
