#!/usr/bin/env python3
"""Diff two pipeline outputs record by record (ids are content hashes, so records are matched by
origin: format, file, source id, visit, window), and count rejects by reason and format.
usage: python3 test/eval/record-review/diff-records.py <ref-out-dir> <new-out-dir> [--show N]"""
import collections, glob, gzip, json, sys

def load(d):
    recs, by_origin = {}, {}
    for split in ('train', 'validation', 'test'):
        for f in sorted(glob.glob(f'{d}/shards/{split}/*.jsonl.gz')):
            for line in gzip.open(f, 'rt'):
                r = json.loads(line); recs[r['id']] = r
        for f in sorted(glob.glob(f'{d}/annotations/{split}/*.jsonl.gz')):
            for line in gzip.open(f, 'rt'):
                a = json.loads(line); o = a['origin']
                by_origin[(o['format'], o.get('file'), o.get('sourceId'), o.get('visit'), o.get('window'))] = a['id']
    rejects = collections.Counter()
    for line in open(f'{d}/rejects/rejects.jsonl'):
        r = json.loads(line); rejects[(r['reason'], (r.get('origin') or {}).get('format'))] += 1
    return recs, by_origin, rejects

def body(r):
    return {k: v for k, v in r.items() if k != 'id'}

def main():
    ref, new = sys.argv[1], sys.argv[2]
    show = int(sys.argv[sys.argv.index('--show') + 1]) if '--show' in sys.argv else 0
    rr, ro, rj = load(ref); nr, no, nj = load(new)
    status = collections.Counter(); fields = collections.Counter(); shown = 0
    for k in sorted(set(ro) | set(no), key=str):
        fmt = k[0]
        if k not in no: status[(fmt, 'gone')] += 1; continue
        if k not in ro: status[(fmt, 'new')] += 1; continue
        a, b = rr[ro[k]], nr[no[k]]
        if body(a) == body(b): status[(fmt, 'same')] += 1; continue
        status[(fmt, 'changed')] += 1
        for f in ('cate1', 'cate2', 'instruction', 'input', 'output', 'history'):
            if a[f] != b[f]: fields[(fmt, f)] += 1
        if shown < show:
            shown += 1; print('##', k, {f: (a[f], b[f]) for f in ('instruction', 'output') if a[f] != b[f]})
    print('records by origin:'); [print(' ', k, v) for k, v in sorted(status.items())]
    print('changed fields:'); [print(' ', k, v) for k, v in sorted(fields.items())]
    print('rejects (reason, format): ref -> new'); [print(' ', k, rj[k], '->', nj[k]) for k in sorted(set(rj) | set(nj), key=str) if rj[k] != nj[k]]

main()
