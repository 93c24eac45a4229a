#!/usr/bin/env python3
"""How often do the shared knowledge graphs hold a drug-disease edge for the labelled prescriptions? (stdlib only)

For every labelled drug in drug-turns.jsonl, take the diseases named in its dialogue and look for an edge
  - xywy (kg/xywy_medicalkgqa/medical_*.json): a disease record whose name equals a named disease, or contains it /
    is contained in it (length >= 2), and whose gaishu_info.common_drug has an entry containing the drug's generic
    Chinese name (last token of the `generic` field) or its surface form without a dosage-form suffix;
  - VRBot (kg/vrbot_meddialog/graph.csv): a `to_treat` edge HEAD=drug, TAIL=disease with the same matching rules.
Symptoms are not used (neither graph has drug-symptom edges). Prints counts per judgement; no dialogue text.
"""
import collections
import glob
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
KG = os.environ.get("KG", "/work/shared/data/kg")
SUFFIX = re.compile(r"(缓释片|控释片|肠溶片|分散片|肠溶胶囊|软胶囊|胶囊|颗粒|片|注射液|口服液|软膏|乳膏|滴眼液|喷雾剂|鼻喷雾剂|糖浆|凝胶|栓|丸|散|混悬液|洗剂|滴剂)$")


def norm_disease(d):
    return re.sub(r"\(.*?\)|（.*?）", "", d).strip()


def load_xywy():
    out = collections.defaultdict(set)
    for p in glob.glob(os.path.join(KG, "xywy_medicalkgqa/medical_*.json")):
        for rec in json.load(open(p, encoding="utf-8")).values():
            g = rec.get("gaishu_info", {})
            name = g.get("name")
            if name:
                out[name] |= set(g.get("common_drug") or [])
    return out


def load_vrbot():
    out = collections.defaultdict(set)
    for line in open(os.path.join(KG, "vrbot_meddialog/graph.csv"), encoding="utf-8"):
        parts = line.rstrip("\n").split(",")
        if len(parts) == 3 and parts[1] == "to_treat":
            out[parts[2]].add(parts[0])
    return out


NEGATED = re.compile(r"[(（](排除|担心|询问|疑)[)）]")


def disease_keys(graph, diseases, lenient):
    """Graph disease names for the named diseases; '(排除)' etc. (ruled out, only feared or asked) are skipped.
    exact: same name; lenient: also a graph name containing the named disease or contained in it (>= 3 chars)."""
    keys = set()
    for d in diseases:
        if NEGATED.search(d):
            continue
        d = norm_disease(d)
        if len(d) < 2:
            continue
        if d in graph:
            keys.add(d)
        if lenient and len(d) >= 3:
            for name in graph:
                if len(name) >= 3 and (name in d or d in name):
                    keys.add(name)
    return keys


def drug_names(drug):
    names = {drug["surface"], SUFFIX.sub("", drug["surface"])}
    g = drug["generic"].split()
    if g and re.search(r"[\u4e00-\u9fa5]", g[-1]):
        names.add(g[-1])
    return {n for n in names if len(n) >= 2}


def covered(graph, keys, names):
    for k in keys:
        for drug in graph[k]:
            if any(n in drug or drug in n for n in names if len(drug) >= 2):
                return True
    return False


def main():
    xywy, vrbot = load_xywy(), load_vrbot()
    for lenient in (False, True):
        print("disease matching:", "lenient (substring, >= 3 chars)" if lenient else "exact name")
        report(xywy, vrbot, lenient)


def report(xywy, vrbot, lenient):
    stats = collections.defaultdict(collections.Counter)
    cache = {}
    for line in open(os.path.join(HERE, "drug-turns.jsonl"), encoding="utf-8"):
        t = json.loads(line)
        key = tuple(t["diseases"])
        if key not in cache:
            cache[key] = (disease_keys(xywy, t["diseases"], lenient), disease_keys(vrbot, t["diseases"], lenient))
        kx, kv = cache[key]
        for d in t["drugs"]:
            s = stats[d["judgement"]]
            names = drug_names(d)
            s["drugs"] += 1
            s["disease_in_xywy"] += bool(kx)
            s["disease_in_vrbot"] += bool(kv)
            x, v = covered(xywy, kx, names), covered(vrbot, kv, names)
            s["edge_xywy"] += x
            s["edge_vrbot"] += v
            s["edge_either"] += x or v
    for j in ("appropriate", "inappropriate", "unclear"):
        s = stats[j]
        n = s["drugs"] or 1
        print("%-13s drugs %3d | a named disease found: xywy %3d, vrbot %3d | drug-disease edge: xywy %3d (%.0f%%), "
              "vrbot %3d (%.0f%%), either %3d (%.0f%%)" % (
                  j, s["drugs"], s["disease_in_xywy"], s["disease_in_vrbot"], s["edge_xywy"], 100 * s["edge_xywy"] / n,
                  s["edge_vrbot"], 100 * s["edge_vrbot"] / n, s["edge_either"], 100 * s["edge_either"] / n))


if __name__ == "__main__":
    main()
