# Targeted PII scan over every text of a cmtmedqa output dir (shards, annotations, rejects, report.*, README, manifest).
# Usage: python3 test/eval/pii-review/scan-output.py OUT [HITS_DIR]  — prints hit counts per pattern class; with HITS_DIR
# also writes each hit with 25 characters of context (for reading by hand; keep them out of the repo).
import gzip, json, os, re, sys, collections
out = sys.argv[1]; hd = sys.argv[2] if len(sys.argv) > 2 else None
sur = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'src', 'stages', 'normalise', 'pii-surnames.json')))
SINGLE = sur['single']; COMP = '|'.join(sur['compound'])
texts = collections.Counter()  # unique string -> occurrences
where = {}
def add(s, f):
    if not isinstance(s, str) or not s: return
    if s.startswith('{') or s.startswith('['):
        try: walk(json.loads(s), f); return
        except Exception: pass
    texts[s] += 1; where.setdefault(s, f)
SKIPKEYS = {'id', 'dialogueId', 'file', 'sha256', 'url', 'sourceId'}
def walk(o, f, k=None):
    if isinstance(o, dict):
        for kk, v in o.items():
            if kk in SKIPKEYS and isinstance(v, str): texts.update() ; continue
            walk(v, f, kk)
    elif isinstance(o, list):
        for v in o: walk(v, f)
    elif isinstance(o, str): add(o, f)
urls = collections.Counter()
for root, _, files in os.walk(out):
    for fn in files:
        p = os.path.join(root, fn); rel = os.path.relpath(p, out)
        op = gzip.open if fn.endswith('.gz') else open
        with op(p, 'rt', encoding='utf-8') as fh:
            if fn.endswith(('.jsonl', '.jsonl.gz')):
                for line in fh:
                    o = json.loads(line); walk(o, rel)
                    ou = (o.get('origin') or {}).get('url') if isinstance(o, dict) else None
                    if ou: urls[ou] += 1
            elif fn.endswith('.json'):
                walk(json.load(fh), rel)
            else:
                for line in fh: add(line.rstrip('\n'), rel)
C = '\u4e00-\u9fff'
T = '(?:医生|大夫|副主任|主任|副教授|教授|副院长|院长|医师|护士|老师)'
P = {
 'title_surname': re.compile(f'(?<!<NAME>)(?:{COMP}|[{SINGLE}])(?:[{C}]{{0,2}}){T}'),
 'intro_name': re.compile(f'(?:我叫|我是|名叫|叫做|姓名[:：]?|患者[:：]|病人[:：]|家属[:：]?|本人[:：]|联系人[:：]?)\\s?(?:{COMP}|[{SINGLE}])[{C}]{{1,2}}'),
 'signoff': re.compile(f'[{C}]{{1,4}}(?:医生|大夫|主任|医师)(?:祝|提醒|建议您|提示|回复|为您|敬上|答复)'),
 'hospital_person': re.compile(f'(?:医院|诊所|卫生院|中心)(?:的)?[{C}]{{2,3}}(?:医生|大夫|主任|教授|院长|医师|护士)'),
 'digits7_12': re.compile(r'(?<![\d.])\d(?:[\d\- \u00a0－]{5,14})\d(?![\d.])'),
 'hotline_landline': re.compile(r'(?<!\d)(?:[48]00[-\s－]?\d{3}|0\d{2,3}[-\s－)）])[-\s－]?\d{3,8}'),
 'qq_wechat': re.compile(r'(?i)(?:微信|威信|薇信|v信|vx|加v|加微|wx|weixin|wechat|qq|扣扣|企鹅号|公众号|微博|抖音|快手)[^\n]{0,20}'),
 'email_at': re.compile(r'[@＠]\S{0,30}'),
 'id18': re.compile(r'(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])|(?<!\d)\d{15}(?!\d)'),
 'address': re.compile(f'[{C}]{{1,8}}(?:省|市|区|县)[{C}]{{0,10}}(?:路|街|道|巷|弄|村|小区|花园|苑|公寓|大厦)(?:[{C}\\d]{{0,8}}(?:号|栋|单元|楼|室))?|[{C}]{{1,8}}(?:小区|花园|公寓)[\\d一二三四五六七八九十]+(?:号|栋|单元|楼|室)|\\d+单元|\\d+栋|\\d+号楼|\\d{{3,4}}室'),
 'birth_date': re.compile(r'(?:出生|生日|生于|出生日期|出生年月)[^\n]{0,4}(?:19|20)\d\d[年\-./]\d{1,2}(?:[月\-./]\d{1,2})?|(?:19|20)\d\d[年\-./]\d{1,2}[月\-./]\d{1,2}日?(?:出生|生)'),
 'plate': re.compile(r'[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][·\s]?[A-HJ-NP-Z0-9]{5,6}(?![A-Za-z0-9])'),
 'bank_card': re.compile(r'(?<!\d)\d{16,19}(?!\d)|(?:银行卡|卡号|账号|帐号|支付宝)[^\n]{0,20}'),
 'url': re.compile(r'(?i)https?://\S+|www\.\S+|\b[\w-]+\.(?:com|cn|net|org|cc)\b\S*'),
 'handle': re.compile(r'@[\w\u4e00-\u9fff]{1,20}'),
 'hospital_no': re.compile(f'(?:住院号|床号|病案号|病历号|门诊号|就诊号|登记号|检查号|条码|编号|标本号|ID)[^\\n]{{0,15}}|\\d{{1,3}}(?:床|号床)'),
}
res = {k: collections.Counter() for k in P}
ctx = {k: [] for k in P}
HEX = re.compile(r'(?:cmt-)?[0-9a-f]{12,}')
def noise(k, m, s):
    if k == 'digits7_12':
        g = m.group(0); d = re.sub(r'\D', '', g)
        if not 7 <= len(d) <= 12: return True
        if re.fullmatch(r'(?:19|20)\d\d-\d\d?-\d\d?(?: \d\d)?', g.strip()) or re.fullmatch(r'(?:19|20)\d\d-\d\d-\d{4}', g): return True
        if re.fullmatch(r'\d{1,6}-{1,3}\d{1,6}', g): return True
        a, b = max(0, m.start()-12), m.end()+12
        for h in HEX.finditer(s[a:b]):
            if h.start()+a <= m.start() and h.end()+a >= m.end(): return True
        if re.match(r'\d', s[m.end():m.end()+1] or 'x') : return True
    return False
for s, n in texts.items():
    for k, r in P.items():
        for m in r.finditer(s):
            if noise(k, m, s): continue
            res[k][m.group(0)] += n
            if hd: ctx[k].append({'m': m.group(0), 'ctx': s[max(0, m.start()-25):m.end()+25], 'f': where[s], 'n': n})
print('unique strings', len(texts), 'occurrences', sum(texts.values()))
print('origin urls', len(urls))
for k in P:
    print(f'{k:18} distinct {len(res[k]):6} occurrences {sum(res[k].values()):7}')
if hd:
    os.makedirs(hd, exist_ok=True)
    for k in P:
        with open(os.path.join(hd, k + '.jsonl'), 'w') as fh:
            for h in ctx[k]: fh.write(json.dumps(h, ensure_ascii=False) + '\n')
