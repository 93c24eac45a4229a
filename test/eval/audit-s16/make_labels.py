#!/usr/bin/env python3
"""Writes labels.tsv: one line per sampled record/reject (sample.py, seed 16): idx, kind, id, format, category, note.
Labels were made by an AI annotator reading each record (session 16 audit); no clinician reviewed them.
Categories: ok | pii_unmasked | over_mask | boilerplate | form_label_kept | role_error | truncated | garbled | low_value
 (accepted) ; correct_reject | wrong_reject | pii_in_reject | uncertain (rejects). A record can carry several lines.
form_label_kept is added automatically for accepted MedDialog records whose text keeps 疾病：/病情描述：/希望获得的帮助：
(a design decision of the meddialog importer, counted apart from the boilerplate defects)."""
import json, re, sys
S = sys.argv[1] if len(sys.argv) > 1 else '/tmp/audit-s16-sample'
ACC = {  # sample index -> [(category, note ≤ ~60 chars, snippet ≤ 40)]
 17: [('boilerplate', 'thanks-only round accepted (pleasantry rule missed)', '非常好，希望药物治疗和检测都能对您…')],
 21: [('garbled', 'English word inside Chinese answer (source)', '情感交流和 bonding')],
 24: [('garbled', 'source drug tokens CD4/CD5 in text (source anonymisation)', '我已经使用了CD4')],
 30: [('garbled', 'stray English token (source)', '咳嗽时是否 beg 伴有痰液')],
 35: [('boilerplate', 'thanks template as whole output', '您的满意是我们工作的最大动力')],
 38: [('boilerplate', 'thanks-only round accepted', '非常欢迎。如果您还有其他问题，随时向我咨询')],
 44: [('boilerplate', 'goodbye-only round accepted', '再见！祝您一切顺利！')],
 54: [('boilerplate', 'thanks-only round accepted', '非常好，我很高兴能为您提供帮助')],
 57: [('boilerplate', 'thank-you template left at end of answer', '希望我的回答对你有所帮助。…祝你健康快乐')],
 59: [('low_value', 'chit-chat round (degree of the doctor)', '你是博士还是硕士')],
 62: [('boilerplate', 'sign-off chit-chat in output', '今天天不早了，我建议咱们早休息')],
 63: [('boilerplate', 'platform sign-off template in output', '如有疑问，随时留言，我会及时回复的')],
 101: [('truncated', 'instruction cut mid-word (source)', '每天早上拔出昨')],
 108: [('boilerplate', 'thank-you template; two answers glued (您好…您好)', '希望我的回答能帮到您')],
 113: [('boilerplate', 'advertising missed (product claim)', '人参皂苷Rh 2（护命素），安全无毒')],
 119: [('truncated', 'instruction and output cut (source)', '拿了一些中 / 建议您至五官科医院'), ('boilerplate', 'template mid-answer', '建议：就诊，希望能帮到您。')],
 125: [('garbled', 'half-width period between CJK and digit', '手基本上能动.2.但是')],
 126: [('low_value', 'template non-answer', '您的症状建议如下治疗方案，建议您能…')],
 129: [('low_value', 'answer does not address question', '人为什么对醪糟产生过敏？→口服开瑞坦')],
 132: [('boilerplate', 'product promotion (mild)', '纳米防脱生发露外部药物治疗')],
 143: [('garbled', 'empty parentheses left (source)', '快高考了我特担心（）')],
 149: [('truncated', 'instruction cut (source ...)', '但是凝血功能有问题，怎……')],
 154: [('boilerplate', 'greeting template as doctor answer in history', '您好，我已经仔细研读了您的资料')],
 163: [('boilerplate', 'thank-you template is the whole output', '希望我的回答对你能够有所帮助，祝您全家')],
 170: [('garbled', 'mixed full/half-width question marks', '谢谢？?？感谢好人一生平安')],
 171: [('low_value', 'pleasantry output', '不客气，不要乱想')],
 173: [('low_value', 'whole record non-medical chit-chat (flowers, hometown)', '迎春花很美，你们那草原特别美')],
 178: [('low_value', 'pleasantry output', '是的，一切都会过去，谢谢您')],
 183: [('role_error', "patient's re-booking form is the doctor output (source labels it 医生)", '约医生：甄玉青⏎疾病：开始咳嗽'), ('pii_unmasked', 'doctor full name after 约医生： and a name before 吗', '甄玉青 / 业达医院。李平吗')],
 187: [('truncated', 'output lost first char (source)', '议多喝水，继续吃药。')],
 191: [('truncated', 'output fragment ending in colon (source); phone masked ok', '<PHONE> 清华大学玉泉医院…磁共振：')],
 205: [('boilerplate', 'platform talk, site name', '这个春雨软件我还不太了解')],
 206: [('boilerplate', 'follow solicitation + cut', '可以关注，有问题随时联系…谢')],
 212: [('boilerplate', 'fan solicitation', '你加我粉丝吧，应该就可以找到')],
 235: [('garbled', 'source digit mask **** left', '三维射频****元左右')],
 241: [('garbled', 'emoticon noise', '什么问题(O_O)？')],
 243: [('truncated', 'output starts mid-sentence (MIE source utterance)', '而不是把你筛查出来。')],
 247: [('boilerplate', 'pharmacy/customer-service template, cut at 客服; site name in history', '网上支付之后会把药寄过去…客服'), ('truncated', 'output ends mid-sentence', '你可以和客服进行联系。客服')],
 248: [('garbled', 'source **** left', '有必要再做其它检查****')],
}
REJ = {
 24: [('pii_in_reject', 'booking doctor full name in scrubbed raw input', '预约医生： 刘金华')],
 26: [('wrong_reject', 'import.no_dialogue but holds 初步诊断 + doctor advice: salvageable single-turn', '初步诊断： 急性支气管炎⏎避免受凉')],
 27: [('pii_in_reject', 'doctor name in raw input', '预约医生： 李宁')],
 29: [('wrong_reject', 'import.no_dialogue with diagnosis + prescription', '克拉霉素0.25每天两次+复方甘草合剂'), ('pii_in_reject', 'doctor name in raw input', '预约医生： 宋志芳')],
 30: [('pii_in_reject', 'doctor name in raw input', '预约医生： 刘光华')],
 32: [('pii_in_reject', 'doctor name in raw input', '预约医生： 胡洋')],
 33: [('pii_in_reject', 'doctor name in raw input', '预约医生： 刘刚')],
 34: [('pii_in_reject', 'doctor name in raw input', '预约医生：⏎申翼')],
 35: [('pii_in_reject', 'doctor name in raw input', '预约医生： 孙茹辉')],
 37: [('pii_in_reject', 'doctor name in normalise reject description', '预约医生：王梦嫣')],
 39: [('pii_in_reject', 'doctor name in normalise reject description', '预约医生：任泽鹏')],
 46: [('pii_in_reject', 'doctor name in normalise reject description', '预约医生：王梦嫣')],
 60: [('wrong_reject', 'quality.machine_spun on fluent CMtMedQA text (表现出, 留意 are ordinary words)', '表现出一些特殊症状…密切留意')],
 61: [('uncertain', 'machine_spun 致使/效用: plausibly original wording', '致使某些女性…不起效用')],
 62: [('wrong_reject', "machine_spun on the patient's own chat (重新调整)", '要重新调整，先把身体养起来')],
 64: [('wrong_reject', 'machine_spun 防止/极冷 on fluent text', '避免极热或极冷的食物刺激')],
 65: [('wrong_reject', 'machine_spun 预防工作 is ordinary phrasing', '做好及时有效的预防工作')],
 67: [('wrong_reject', 'machine_spun: 减低血管通透性 is a standard term', '服用减低血管通透性药物')],
 71: [('uncertain', 'machine_spun 进行咨询/知晓: borderline', '可以详细知晓子宫内膜的厚度')],
 76: [('wrong_reject', 'visit split cut a real question from the next Dialogue section that answers it', '【重大疾病】：前几天去医院检查…再检查一次么')],
 77: [('correct_reject', 'fragment of description fields split off as a visit (import quirk)', '无⏎既往病史：无')],
 90: [('wrong_reject', 'pleasantry_only: 是的/不用担心 answers 可以排除新冠肺炎了吗', '是的⏎不用担心')],
 96: [('wrong_reject', 'thin_instruction: contextual 是啊, doctor answer informative (mild)', '仪器有说明书的，再一个让药店营业员')],
 97: [('wrong_reject', 'thin_instruction 好的 but doctor gives assessment', '心脏问题根据老人的年龄和平时症状看问题不大')],
 98: [('wrong_reject', 'toyhom ask=无: the question is in the title column (file spun anyway)', 'title 电脑中频经络通糖尿病治疗仪疗效')],
 101: [('wrong_reject', 'toyhom ask=无, title holds question', 'title 癫痫病吃什么要好')],
 102: [('wrong_reject', 'thin_instruction 您好, doctor gives full answer', '新型冠状病毒主要是密切接触…')],
 104: [('wrong_reject', 'toyhom ask=无, title holds question', 'title 肾肿瘤')],
 105: [('wrong_reject', 'thin_instruction 嗯, doctor gives finding', '应该提示有结核，建议进一步排查结核')],
 107: [('wrong_reject', 'toyhom ask=无, title holds question', 'title 小孩癫痫有什么特征')],
 117: [('wrong_reject', 'thin_output: a drug name is the answer to 推荐药有些什么 (mild)', '亚胺培南')],
 118: [('wrong_reject', 'thin_output: 5-char answer is informative', '水银温度计一般测量几分钟呢→五分钟以上')],
}
FORM = re.compile(r'疾病[:：]|病情描述[:：]|希望获得的帮助[:：]|患病多久[:：]')
with open('labels.tsv', 'w', encoding='utf-8') as w:
    w.write('idx\tkind\tid\tformat\tcategory\tnote\tsnippet\n')
    for i, l in enumerate(open(f'{S}/accepted.jsonl', encoding='utf-8')):
        x = json.loads(l); r = x['record']
        labs = list(ACC.get(i, []))
        blob = '\n'.join([r['instruction'], r['output']] + [t for h in r['history'] for t in h])
        if x['format'] == 'meddialog' and FORM.search(blob):
            labs.append(('form_label_kept', 'haodf form labels kept in patient text (design)', FORM.search(blob).group()))
        for c, n, s in labs or [('ok', '', '')]:
            w.write(f"{i}\taccepted\t{r['id']}\t{x['format']}\t{c}\t{n}\t{s}\n")
    for i, l in enumerate(open(f'{S}/rejects.jsonl', encoding='utf-8')):
        r = json.loads(l)
        for c, n, s in REJ.get(i, [('correct_reject', '', '')]):
            w.write(f"R{i}\treject:{r['reason']}\t{r['id']}\t{r['origin'].get('format')}\t{c}\t{n}\t{s}\n")
print('labels.tsv written')
