#!/usr/bin/env python3
"""Resolve evaluation locators to raw utterance text in /work/shared/data/dialogues and verify them.

Python 3, standard library only.

Usage:
  python3 test/eval/locate.py                    # verify drug-turns.jsonl and entity-spans.jsonl next to this file
  python3 test/eval/locate.py FILE.jsonl ...     # verify the given files
  python3 test/eval/locate.py --show FILE.jsonl N  # print the resolved text of line N (1-based) of FILE (local use only)
  DIALOGUES=/other/root python3 test/eval/locate.py   # raw data somewhere else

A locator is {"file", "record", "utterance", "role", "sha1", "len"}; "file" is relative to the dialogues root.
How utterances are counted (0-based everywhere):

  meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt
    record = {"id": N, "section": k}: the consultation that starts with the line "id=N", and the k-th line that is
    exactly "Dialogue" inside it (follow-up visits give several Dialogue sections). Inside a section, every line that
    is exactly "病人：" or "医生：" starts an utterance; its text is the following lines up to (not including) the next
    speaker line, the first empty line, or a section header line ("Description", "Dialogue", "Doctor faculty", or a
    line starting with "Diagnosis and suggestions", "id="), joined with "\n". Utterance = index of the speaker line
    within the section. role: 病人 -> patient, 医生 -> doctor.
  hetmc_chunyu/train.dialog
    record = {"id": N}: the block whose header line is "id\tN\t...". Utterance = index among the block's lines that
    start with "P\t" or "D\t" (SUM lines are not utterances); text = the second tab-separated field, unchanged.
    role: P -> patient, D -> doctor.
  mie_chunyu/dev.json
    record = {"dialogue": i}: the i-th element of the top-level list (a list of sliding windows). Utterance j = the
    last (5th) string of window j (each window adds exactly one utterance; verified: window j's 4th string equals
    window j-1's 5th). text = that string without its 3-character speaker prefix "患者:" / "医生:".
    role: 患者 -> patient, 医生 -> doctor.
  cmtmedqa/CMtMedQA_test.json
    record = {"index": i, "id": "<record id>"}: the i-th element of the array (only the 1,000 multi-turn records
    {id,...,history}; the id is checked too). Utterances: history[0][0], history[0][1], history[1][0], ... then
    instruction (patient, the current round; "input" is empty in every record) then output (doctor). So for a
    record with n history rounds: 2k = history[k][0], 2k+1 = history[k][1], 2n = instruction, 2n+1 = output.
  huatuo26m/huatuo26M_test.json
    record = {"index": i}: the i-th element (ids are all empty). Utterance 0 = instruction[0] (patient),
    1 = output[0] (doctor). Text unchanged (it includes the "问题分析：" / "意见建议：" headings).
  toyhom_cmd/样例_内科5000-6000.csv
    record = {"row": i}: the i-th data row (0-based, header row excluded) when the file is decoded as GB18030 and
    read with Python's csv module. Utterance 0 = ask (patient), 1 = answer (doctor); the title column is not an
    utterance.

sha1 is the hex SHA-1 of the UTF-8 encoding of the text; len is its length in Python characters (code points).
Span offsets [start, end) in the label files are code-point offsets into that text.
"""
import csv
import hashlib
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get("DIALOGUES", "/work/shared/data/dialogues")

MEDDIALOG = "meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt"
HETMC = "hetmc_chunyu/train.dialog"
MIE = "mie_chunyu/dev.json"
CMT = "cmtmedqa/CMtMedQA_test.json"
HUATUO = "huatuo26m/huatuo26M_test.json"
TOYHOM = "toyhom_cmd/样例_内科5000-6000.csv"

_cache = {}


def sha1(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _meddialog():
    """{(id, section): [(role, text), ...]}"""
    lines = open(os.path.join(ROOT, MEDDIALOG), encoding="utf-8").read().split("\n")
    out = {}
    cur_id = None
    section = -1
    in_dialogue = False
    i = 0
    speakers = {"病人：": "patient", "医生：": "doctor"}

    def is_header(l):
        return (l in ("Description", "Dialogue", "Doctor faculty") or l.startswith("Diagnosis and suggestions")
                or l.startswith("id="))

    while i < len(lines):
        l = lines[i]
        if l.startswith("id=") and l[3:].isdigit():
            cur_id = int(l[3:])
            section = -1
            in_dialogue = False
        elif l == "Dialogue":
            section += 1
            in_dialogue = True
            out[(cur_id, section)] = []
        elif is_header(l):
            in_dialogue = False
        elif in_dialogue and l in speakers:
            j = i + 1
            body = []
            while j < len(lines) and lines[j] not in speakers and lines[j] != "" and not is_header(lines[j]):
                body.append(lines[j])
                j += 1
            out[(cur_id, section)].append((speakers[l], "\n".join(body)))
            i = j
            continue
        i += 1
    return out


def _hetmc():
    out = {}
    cur = None
    for l in open(os.path.join(ROOT, HETMC), encoding="utf-8").read().split("\n"):
        parts = l.split("\t")
        if parts[0] == "id" and len(parts) > 1:
            cur = int(parts[1])
            out[cur] = []
        elif parts[0] in ("P", "D") and len(parts) >= 2 and cur is not None:
            out[cur].append(("patient" if parts[0] == "P" else "doctor", parts[1]))
    return out


def _mie():
    data = json.load(open(os.path.join(ROOT, MIE), encoding="utf-8"))
    out = {}
    for i, d in enumerate(data):
        us = []
        for w in d:
            s = w["utterances"][4]
            role = {"患者:": "patient", "医生:": "doctor"}.get(s[:3])
            if role is None:
                raise ValueError("MIE dialogue %d: utterance without speaker prefix" % i)
            us.append((role, s[3:]))
        out[i] = us
    return out


def _cmt():
    data = json.load(open(os.path.join(ROOT, CMT), encoding="utf-8"))
    out = {}
    for i, r in enumerate(data):
        if "history" not in r:
            continue
        us = []
        for q, a in r["history"]:
            us.append(("patient", q))
            us.append(("doctor", a))
        us.append(("patient", r["instruction"] + r["input"]))
        us.append(("doctor", r["output"]))
        out[i] = (r["id"], us)
    return out


def _huatuo():
    data = json.load(open(os.path.join(ROOT, HUATUO), encoding="utf-8"))
    return {i: [("patient", r["instruction"][0]), ("doctor", r["output"][0])] for i, r in enumerate(data)}


def _toyhom():
    raw = open(os.path.join(ROOT, TOYHOM), "rb").read().decode("gb18030")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    return {i: [("patient", r[2]), ("doctor", r[3])] for i, r in enumerate(rows[1:])}


def table(file):
    if file not in _cache:
        _cache[file] = {MEDDIALOG: _meddialog, HETMC: _hetmc, MIE: _mie, CMT: _cmt, HUATUO: _huatuo,
                        TOYHOM: _toyhom}[file]()
    return _cache[file]


def record_utterances(file, record):
    """List of (role, text) for a record locator."""
    t = table(file)
    if file == MEDDIALOG:
        return t[(int(record["id"]), int(record["section"]))]
    if file == HETMC:
        return t[int(record["id"])]
    if file == MIE:
        return t[int(record["dialogue"])]
    if file == CMT:
        rid, us = t[int(record["index"])]
        if "id" in record and record["id"] != rid:
            raise KeyError("CMtMedQA index %s has id %s, locator says %s" % (record["index"], rid, record["id"]))
        return us
    if file == HUATUO:
        return t[int(record["index"])]
    if file == TOYHOM:
        return t[int(record["row"])]
    raise KeyError(file)


def iter_records(file):
    """Yield (record_locator, [(role, text), ...]) for every record of a file."""
    t = table(file)
    for k, v in t.items():
        if file == MEDDIALOG:
            yield {"id": k[0], "section": k[1]}, v
        elif file == HETMC:
            yield {"id": k}, v
        elif file == MIE:
            yield {"dialogue": k}, v
        elif file == CMT:
            yield {"index": k, "id": v[0]}, v[1]
        elif file in (HUATUO,):
            yield {"index": k}, v
        else:
            yield {"row": k}, v


def make_locator(file, record, utterance):
    role, text = record_utterances(file, record)[utterance]
    return {"file": file, "record": record, "utterance": utterance, "role": role, "sha1": sha1(text),
            "len": len(text)}


def resolve(loc):
    """Return the utterance text of a locator; raise ValueError if it does not verify."""
    us = record_utterances(loc["file"], loc["record"])
    role, text = us[int(loc["utterance"])]
    if role != loc["role"]:
        raise ValueError("role %s != %s" % (role, loc["role"]))
    if sha1(text) != loc["sha1"]:
        raise ValueError("sha1 mismatch")
    if len(text) != loc["len"]:
        raise ValueError("len mismatch")
    return text


def _check_spans(text, spans, what):
    errs = []
    for s in spans:
        a, b = s["start"], s["end"]
        if not (0 <= a < b <= len(text)) or text[a:b] != s["surface"]:
            errs.append("%s span %r [%d,%d) does not match text" % (what, s["surface"], a, b))
    return errs


def verify_file(path):
    ok = bad = 0
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.strip()
        if not line:
            continue
        obj = json.loads(line)
        errs = []
        try:
            text = resolve(obj["locator"])
        except (KeyError, IndexError, ValueError) as e:
            errs.append("locator: %s" % e)
            text = None
        if text is not None:
            if "drugs" in obj:
                errs += _check_spans(text, obj["drugs"], "drug")
            if "entities" in obj:
                errs += _check_spans(text, obj["entities"], "entity")
            if "non_entities" in obj:
                errs += _check_spans(text, obj["non_entities"], "non-entity")
        if errs:
            bad += 1
            print("%s:%d: %s" % (os.path.basename(path), n, "; ".join(errs)))
        else:
            ok += 1
    print("%s: %d resolved and verified, %d failed" % (os.path.basename(path), ok, bad))
    return bad


def main(argv):
    if len(argv) >= 3 and argv[0] == "--show":
        lines = [l for l in open(argv[1], encoding="utf-8") if l.strip()]
        print(resolve(json.loads(lines[int(argv[2]) - 1])["locator"]))
        return 0
    files = argv or [os.path.join(HERE, "drug-turns.jsonl"), os.path.join(HERE, "entity-spans.jsonl")]
    bad = 0
    for f in files:
        if os.path.exists(f):
            bad += verify_file(f)
        else:
            print("%s: missing" % f)
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
