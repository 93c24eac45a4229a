#!/usr/bin/env python3
"""Reproducible sample for the advertising/promotion label set.

Usage: python3 sample.py OUTPUT_DIR [--dump FILE]

Reads OUTPUT_DIR/shards/{train,validation,test}/*.jsonl.gz and the sidecar
OUTPUT_DIR/annotations/{split}/*.jsonl.gz (origin.format), then draws:
  (a) "cue": every record whose instruction/input/output/history matches CUE;
      if more than CUE_CAP, the first CUE_CAP ordered by sha256("adv-s15" + id);
  (b) "random": RAND_N records not in (a), ordered by sha256("adv-s15-rand" + id).
Prints one JSON line per sampled record: {"id", "format", "sample", "split"}.
With --dump FILE, also writes the full sampled records (for reading; keep
that file outside the repository).
"""
import glob
import gzip
import hashlib
import json
import os
import re
import sys

CUE = re.compile(
    r"我院|本院|我们医院|来院|到院|我科|本科室|本中心|我中心|拨打|电话|热线|咨询|微信|QQ|<QQ>|<PHONE>|"
    r"公众号|加我|关注我|我的主页|点击|网址|网站|www|http|一贴|根治|治愈率|有效率|疗效卓著|无需手术|"
    r"无需吃药|特效|专家号|预约|挂号|客服|优惠|免费|费用|价格|包治|祖传|秘方|疗程短|不复发|先进仪器|设备"
)
CUE_SEED = "adv-s15"
RAND_SEED = "adv-s15-rand"
CUE_CAP = 600
RAND_N = 300
SPLITS = ("train", "validation", "test")


def read_jsonl_gz(pattern):
    for path in sorted(glob.glob(pattern)):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    yield json.loads(line)


def record_text(rec):
    parts = [rec.get("instruction") or "", rec.get("input") or "", rec.get("output") or ""]
    for turn in rec.get("history") or []:
        parts.extend(t or "" for t in turn)
    return "\n".join(parts)


def key(seed, rid):
    return hashlib.sha256((seed + rid).encode("utf-8")).hexdigest()


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out_dir = argv[1]
    dump = argv[argv.index("--dump") + 1] if "--dump" in argv else None

    fmt = {}
    for split in SPLITS:
        for a in read_jsonl_gz(os.path.join(out_dir, "annotations", split, "*.jsonl.gz")):
            fmt[a["id"]] = a.get("origin", {}).get("format", "?")

    records = {}
    split_of = {}
    for split in SPLITS:
        for r in read_jsonl_gz(os.path.join(out_dir, "shards", split, "*.jsonl.gz")):
            records[r["id"]] = r
            split_of[r["id"]] = split

    cue_ids = [rid for rid, r in records.items() if CUE.search(record_text(r))]
    cue_ids.sort(key=lambda rid: key(CUE_SEED, rid))
    cue_pick = cue_ids[:CUE_CAP]
    cue_set = set(cue_ids)  # (b) excludes every cue match, not only the 600 taken
    rest = [rid for rid in records if rid not in cue_set]
    rest.sort(key=lambda rid: key(RAND_SEED, rid))
    rand_pick = rest[:RAND_N]

    sys.stderr.write(
        f"records={len(records)} cue_matches={len(cue_ids)} cue_taken={len(cue_pick)} "
        f"non_cue={len(rest)} random_taken={len(rand_pick)}\n"
    )
    dfh = open(dump, "w", encoding="utf-8") if dump else None
    for part, ids in (("cue", cue_pick), ("random", rand_pick)):
        for rid in ids:
            row = {"id": rid, "format": fmt.get(rid, "?"), "sample": part, "split": split_of[rid]}
            print(json.dumps(row, ensure_ascii=False))
            if dfh:
                dfh.write(json.dumps({**row, "record": records[rid]}, ensure_ascii=False) + "\n")
    if dfh:
        dfh.close()


if __name__ == "__main__":
    main(sys.argv)
