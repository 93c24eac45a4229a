#!/usr/bin/env python3
"""Fixed-seed audit sample of a cmtmedqa output dir (session 16 audit).
Usage: sample.py OUT_DIR [--seed 16] [--dump DIR]
Writes (to --dump, default /tmp/audit-s16-sample; keep it OUT of the repo: it holds dialogue text):
  accepted.jsonl  ~250 accepted records, stratified by origin.format (from annotations sidecar)
  rejects.jsonl   ~120 rejects, stratified by reason code (and, within a reason, by format)
Stdlib only. Deterministic: files are read in sorted order, ids sorted before random.sample."""
import gzip, glob, json, os, random, sys, collections

out = sys.argv[1]
seed = int(sys.argv[sys.argv.index('--seed') + 1]) if '--seed' in sys.argv else 16
dump = sys.argv[sys.argv.index('--dump') + 1] if '--dump' in sys.argv else '/tmp/audit-s16-sample'
os.makedirs(dump, exist_ok=True)

ann = {}
for f in sorted(glob.glob(os.path.join(out, 'annotations', '*', '*.jsonl.gz'))):
    for l in gzip.open(f, 'rt', encoding='utf-8'):
        a = json.loads(l); ann[a['id']] = a
recs = {}
for f in sorted(glob.glob(os.path.join(out, 'shards', '*', '*.jsonl.gz'))):
    split = os.path.basename(os.path.dirname(f))
    for l in gzip.open(f, 'rt', encoding='utf-8'):
        r = json.loads(l); recs[r['id']] = (split, r)

rng = random.Random(seed)
# accepted: 250 over the formats present (toyhom has 0 accepted in the shared-corpora run)
ACC_QUOTA = {'huatuo': 55, 'meddialog': 55, 'cmtmedqa': 55, 'mie': 45, 'hetmc': 40, 'toyhom': 40}
byfmt = collections.defaultdict(list)
for rid in sorted(recs):
    byfmt[ann[rid]['origin']['format']].append(rid)
acc = []
for fmt in sorted(ACC_QUOTA):
    ids = byfmt.get(fmt, [])
    k = min(ACC_QUOTA[fmt], len(ids))
    acc += [(fmt, i) for i in rng.sample(ids, k)]
with open(os.path.join(dump, 'accepted.jsonl'), 'w', encoding='utf-8') as w:
    for fmt, rid in acc:
        split, r = recs[rid]
        w.write(json.dumps({'format': fmt, 'split': split, 'origin': ann[rid]['origin'], 'record': r}, ensure_ascii=False) + '\n')

# rejects: 120 spread over reason codes; per reason an equal share (capped by what exists),
# within a reason round-robin over formats
rejs = [json.loads(l) for l in open(os.path.join(out, 'rejects', 'rejects.jsonl'), encoding='utf-8')]
byreason = collections.defaultdict(lambda: collections.defaultdict(list))
for r in sorted(rejs, key=lambda r: r['id']):
    byreason[r['reason']][r['origin'].get('format', '?')].append(r)
TOTAL = 120
reasons = sorted(byreason)
sizes = {k: sum(len(v) for v in byreason[k].values()) for k in reasons}
quota = {k: 0 for k in reasons}
left = TOTAL
while left > 0 and any(quota[k] < sizes[k] for k in reasons):
    for k in reasons:
        if left and quota[k] < sizes[k]:
            quota[k] += 1; left -= 1
picked = []
for k in reasons:
    pools = {f: rng.sample(v, len(v)) for f, v in sorted(byreason[k].items())}
    got = []
    while len(got) < quota[k]:
        for f in sorted(pools):
            if pools[f] and len(got) < quota[k]:
                got.append(pools[f].pop())
    picked += got
with open(os.path.join(dump, 'rejects.jsonl'), 'w', encoding='utf-8') as w:
    for r in picked:
        w.write(json.dumps(r, ensure_ascii=False) + '\n')
print(f'seed {seed}: {len(acc)} accepted', dict(collections.Counter(f for f, _ in acc)),
      f'| {len(picked)} rejects', dict(collections.Counter(r["reason"] for r in picked)), '->', dump)
