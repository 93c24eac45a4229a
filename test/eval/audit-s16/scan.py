#!/usr/bin/env python3
"""Cheap pattern scan (unmasked names before a title were checked by hand from a wider regex: see labels.tsv, category pii_unmasked)
 over ALL accepted records of a cmtmedqa output dir (session 16 audit).
Usage: scan.py OUT_DIR [--examples N]
Counts records (and hits) per pattern, per origin format; prints up to N example ids + <=40-char snippets."""
import gzip, glob, json, os, re, sys, collections
out = sys.argv[1]
NEX = int(sys.argv[sys.argv.index('--examples') + 1]) if '--examples' in sys.argv else 4
ann = {}
for f in sorted(glob.glob(os.path.join(out, 'annotations', '*', '*.jsonl.gz'))):
    for l in gzip.open(f, 'rt', encoding='utf-8'):
        a = json.loads(l); ann[a['id']] = a['origin']['format']
P = {
  'html_entity': re.compile(r'&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});'),
  'html_tag': re.compile(r'</?[a-z][a-z0-9]*(?:\s[^<>]{0,80})?/?>|<[a-z]'),
  'digits11': re.compile(r'(?<!\d)\d{11}(?!\d)'),
  'mobile_loose': re.compile(r'(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)'),
  'id_card': re.compile(r'(?<!\d)\d{17}[\dXx](?!\d)'),
  'http_www': re.compile(r'https?:|www\.|\.com\b|\.cn\b', re.I),
  'wechat_qq_digits': re.compile(r'(?:微信|威信|薇信|QQ|qq|Q号|扣扣|vx|VX|wx)[^\d\n]{0,6}\d{5,}'),
  'wechat_qq_id': re.compile(r'(?:微信号?|QQ号?|vx)[:：\s]*[A-Za-z][\w-]{5,}'),
  'ctrl_char': re.compile(r'[\u0000-\u0009\u000b-\u001f\u007f]'),
  'mojibake': re.compile(r'锟斤拷|�|烫烫|[ÃÂ][\u0080-\u00ff]|Ã|â€'),
  'fullwidth_alnum': re.compile(r'[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]'),
  'site_name': re.compile(r'好大夫|春雨医生|春雨|有问必答|快速问医生|寻医问药|39健康|120ask|家庭医生在线|点击查看|点击|关注我|给个好评|好评|满意度|评价'),
  'form_label': re.compile(r'病情描述[:：]|希望获得的帮助[:：]|想得到怎样的帮助|希望得到怎样的帮助|患病多久[:：]|已就诊医院|用药情况[:：]|过敏史[:：]|既往病史[:：]|疾病[:：]'),
  'thanks_template': re.compile(r'希望我的回答(?:对你|对您|能)?(?:有所|能够有所)?帮助|希望(?:能|可以)?(?:对您|对你)?有(?:所)?帮助|希望能帮到您|如有疑问，?随时留言|很高兴为您(?:解答|服务)|感谢您的信任|您好，我已经仔细研读了您的资料|祝您全家幸福安康'),
  'solicitation': re.compile(r'关注(?:下|一下)?我|加我粉丝|对我的服务评价|送心意|点击我的头像|春雨医生|好大夫在线|好大夫App|网站是全国点击率|客服'),
  'masked_stars': re.compile(r'\*{3,}'),
  'emoticon_noise': re.compile(r'\([OoTㅠ^][_\-.][OoTㅠ^]\)|\(\?[ ?]*\?\)|\?{3,}|？\?|\?？'),
  'halfwidth_punct_cjk': re.compile(r'[\u4e00-\u9fff][,;:?!][\u4e00-\u9fff]|[\u4e00-\u9fff]\.[\u4e00-\u9fff]'),
  'site_form_label': re.compile(r'医生询问[:：]|开药需求[:：]|回复人的回复|补充问题\d?[:：]|以上是对“'),
  'placeholder': re.compile(r'<(?:PHONE|NAME|ID|QQ|WECHAT|URL|EMAIL|ADDRESS|TAB|TYPE)>'),
}
counts = collections.Counter(); hits = collections.Counter(); byfmt = collections.defaultdict(collections.Counter)
ex = collections.defaultdict(list); ph_ctx = collections.Counter()
role_form = 0; role_ex = []; trunc_end = 0; trunc_ex = []; dup_hist = 0; dup_hist_ex = []; empty_field = collections.Counter(); n = 0
for f in sorted(glob.glob(os.path.join(out, 'shards', '*', '*.jsonl.gz'))):
    for l in gzip.open(f, 'rt', encoding='utf-8'):
        r = json.loads(l); n += 1; fmt = ann.get(r['id'], '?')
        texts = [r['instruction'], r['input'], r['output']] + [t for h in r['history'] for t in h]
        blob = '\n'.join(texts)
        for k, p in P.items():
            ms = list(p.finditer(blob))
            if ms:
                counts[k] += 1; hits[k] += len(ms); byfmt[k][fmt] += 1
                if len(ex[k]) < NEX:
                    m = ms[0]; s = blob[max(0, m.start()-15):m.end()+15].replace('\n', '⏎')
                    ex[k].append((r['id'], fmt, s[:40]))
                if k == 'placeholder':
                    for m in ms:
                        ph_ctx[(m.group(), blob[max(0, m.start()-4):m.start()] + '_' + blob[m.end():m.end()+4])] += 1
        h = [tuple(x) for x in r['history']]
        if len(h) != len(set(h)) or any(tuple(x) == (r['instruction'], r['output']) for x in r['history']):
            dup_hist += 1
            if len(dup_hist_ex) < NEX: dup_hist_ex.append((r['id'], fmt, (h[0][0] if h else '')[:30]))
        if re.search(r'(?:疾病|病情描述|希望获得的帮助|患病多久)[:：]', r['output'] + ''.join(h[1] for h in r['history'])):
            role_form += 1
            if len(role_ex) < NEX: role_ex.append((r['id'], fmt))
        if re.search(r'[：:，,、]$', r['output'].strip()) or re.search(r'[：:]$', r['instruction'].strip()):
            trunc_end += 1
            if len(trunc_ex) < NEX: trunc_ex.append((r['id'], fmt, r['output'].strip()[-20:]))
        if not r['output'].strip(): empty_field['output'] += 1
        if not r['instruction'].strip(): empty_field['instruction'] += 1
print(f'{n} accepted records scanned')
for k in P:
    print(f'{k:18s} records {counts[k]:5d} hits {hits[k]:5d}  by format {dict(byfmt[k])}')
    for e in ex[k]: print('     ', e)
print(f'repeated identical history rounds: {dup_hist} records', dup_hist_ex)
print('empty fields', dict(empty_field))
print(f'form labels (疾病：/病情描述：…) inside a doctor turn (output or history answer): {role_form} records', role_ex)
print(f'output ending in ：/，/、 or instruction ending in ： (cut-off): {trunc_end} records', trunc_ex)
print('placeholder contexts (top 40):')
for (ph, c), v in ph_ctx.most_common(40): print('   ', v, ph, c.replace('\n', '⏎'))
