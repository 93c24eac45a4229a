#!/usr/bin/env python3
"""Build drug-turns.jsonl and entity-spans.jsonl from the annotator's label sources in labels/ (stdlib only).

labels/drug_*.txt: one turn per header line "KEY || disease,disease || symptom,symptom", followed by one indented
line per recommended drug "surface | generic | a|i|u | reason". KEY is "<source>:<record>:<utterance>" with record
  meddialog: ID/SECTION   hetmc: ID   mie: DIALOGUE   cmtmedqa: INDEX   huatuo: INDEX   toyhom: ROW
Surface strings are looked up in the raw utterance (first occurrence, or the n-th with "surface#n") to get offsets.

labels/entities_*.txt: one turn per header line "KEY", followed by indented lines
  "surface | Type [| note]"  (an entity; Type in Disease Symptom Drug Check Department Food BodyPart)
  "!surface | note"          (a phrase that is NOT an entity: advice, negated trap, boundary trap)
Each surface is located left to right: the n-th line for the same surface takes the next occurrence after the
previous one (or use "surface@OFFSET" to pin the start, or "surface#N" for the N-th occurrence in the text).
"""
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import locate  # noqa: E402

FILES = {"meddialog": locate.MEDDIALOG, "hetmc": locate.HETMC, "mie": locate.MIE, "cmtmedqa": locate.CMT,
         "huatuo": locate.HUATUO, "toyhom": locate.TOYHOM}
JUDGE = {"a": "appropriate", "i": "inappropriate", "u": "unclear"}
TYPES = {"Disease", "Symptom", "Drug", "Check", "Department", "Food", "BodyPart"}


def parse_key(key):
    src, rec, utt = key.split(":")
    f = FILES[src]
    if src == "meddialog":
        a, b = rec.split("/")
        record = {"id": int(a), "section": int(b)}
    elif src == "hetmc":
        record = {"id": int(rec)}
    elif src == "mie":
        record = {"dialogue": int(rec)}
    elif src == "cmtmedqa":
        idx = int(rec.split("/")[0])
        record = {"index": idx, "id": locate.table(f)[idx][0]}
    elif src == "huatuo":
        record = {"index": int(rec)}
    else:
        record = {"row": int(rec)}
    return src, locate.make_locator(f, record, int(utt))


def split_list(s):
    return [x.strip() for x in s.split(",") if x.strip()]


def find(text, surface, start_from=0, nth=1):
    pos = start_from - 1
    for _ in range(nth):
        pos = text.find(surface, pos + 1)
        if pos < 0:
            return -1
    return pos


def build_drugs(paths):
    out, errors, seen = [], [], set()
    cur = None
    for p in paths:
        for n, raw in enumerate(open(p, encoding="utf-8"), 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = "%s:%d" % (os.path.basename(p), n)
            if not line.startswith(" "):
                parts = [x.strip() for x in line.split("||")]
                key = parts[0]
                if key in seen:
                    errors.append("%s: duplicate key %s" % (where, key))
                seen.add(key)
                src, loc = parse_key(key)
                cur = {"key": key, "source": src, "locator": loc,
                       "diseases": split_list(parts[1]) if len(parts) > 1 else [],
                       "symptoms": split_list(parts[2]) if len(parts) > 2 else [], "drugs": []}
                if loc["role"] != "doctor":
                    errors.append("%s: %s is not a doctor turn" % (where, key))
                out.append(cur)
                continue
            fields = [x.strip() for x in line.split("|")]
            if len(fields) != 4 or fields[2] not in JUDGE:
                errors.append("%s: bad drug line %r" % (where, line))
                continue
            surface, generic, j, reason = fields
            nth = 1
            m = re.match(r"^(.*)#(\d+)$", surface)
            if m:
                surface, nth = m.group(1), int(m.group(2))
            text = locate.resolve(cur["locator"])
            a = find(text, surface, 0, nth)
            if a < 0:
                errors.append("%s: %r not found in %s" % (where, surface, cur["key"]))
                continue
            cur["drugs"].append({"surface": surface, "start": a, "end": a + len(surface), "generic": generic,
                                 "judgement": JUDGE[j], "reason": reason})
    for t in out:
        if not t["drugs"]:
            errors.append("%s has no drugs" % t["key"])
    return out, errors


def build_entities(paths):
    out, errors, seen = [], [], set()
    cur = None
    for p in paths:
        for n, raw in enumerate(open(p, encoding="utf-8"), 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            where = "%s:%d" % (os.path.basename(p), n)
            if not line.startswith(" "):
                key = line.strip()
                if key in seen:
                    errors.append("%s: duplicate key %s" % (where, key))
                seen.add(key)
                src, loc = parse_key(key)
                cur = {"key": key, "source": src, "locator": loc, "entities": [], "non_entities": [], "_pos": {}}
                out.append(cur)
                continue
            s = line.strip()
            neg = s.startswith("!")
            if neg:
                s = s[1:]
            fields = [x.strip() for x in s.split("|")]
            surface = fields[0]
            pin = None
            m = re.match(r"^(.*)@(\d+)$", surface)
            if m:
                surface, pin = m.group(1), int(m.group(2))
            text = locate.resolve(cur["locator"])
            nth = None
            m = re.match(r"^(.*)#(\d+)$", surface)
            if m:
                surface, nth = m.group(1), int(m.group(2))
            if pin is not None:
                a = pin if text[pin:pin + len(surface)] == surface else -1
            elif nth is not None:
                a = find(text, surface, 0, nth)
            else:
                a = find(text, surface, cur["_pos"].get(surface, 0))
            if a < 0:
                errors.append("%s: %r not found in %s" % (where, surface, cur["key"]))
                continue
            cur["_pos"][surface] = a + 1
            span = {"surface": surface, "start": a, "end": a + len(surface)}
            if neg:
                span["note"] = fields[1] if len(fields) > 1 else ""
                cur["non_entities"].append(span)
            else:
                if len(fields) < 2 or fields[1] not in TYPES:
                    errors.append("%s: bad type in %r" % (where, line))
                    continue
                span["type"] = fields[1]
                if len(fields) > 2 and fields[2]:
                    span["note"] = fields[2]
                cur["entities"].append(span)
    for t in out:
        del t["_pos"]
        t["entities"].sort(key=lambda s: (s["start"], s["end"]))
        t["non_entities"].sort(key=lambda s: (s["start"], s["end"]))
        ents = t["entities"]
        for x, y in zip(ents, ents[1:]):
            if y["start"] < x["end"]:
                errors.append("%s: overlapping entities %r and %r" % (t["key"], x["surface"], y["surface"]))
    return out, errors


def main():
    lab = os.path.join(HERE, "labels")
    files = sorted(os.listdir(lab))
    drugs, e1 = build_drugs([os.path.join(lab, f) for f in files if f.startswith("drug_")])
    ents, e2 = build_entities([os.path.join(lab, f) for f in files if f.startswith("entities_")])
    for e in e1 + e2:
        print("ERROR", e)
    with open(os.path.join(HERE, "drug-turns.jsonl"), "w", encoding="utf-8") as fh:
        for t in drugs:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")
    with open(os.path.join(HERE, "entity-spans.jsonl"), "w", encoding="utf-8") as fh:
        for t in ents:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")
    print("drug turns %d (drugs %d), entity turns %d (entities %d, non-entities %d)" % (
        len(drugs), sum(len(t["drugs"]) for t in drugs), len(ents), sum(len(t["entities"]) for t in ents),
        sum(len(t["non_entities"]) for t in ents)))
    return 1 if (e1 or e2) else 0


if __name__ == "__main__":
    sys.exit(main())
