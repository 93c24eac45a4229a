import { describe, expect, it } from '@jest/globals';
import { idCheckDigit, isResidentId15, isResidentId18, PLACEHOLDERS, scrubPii, scrubSpans } from '../../../src/stages/normalise/pii.js';
import { cleanText } from '../../../src/stages/normalise/text.js';
import { makeReject, rejectForOutput } from '../../../src/core/reject.js';

const S = (s: string) => scrubPii(s);

describe('PII scrubbing', () => {
  it('scrubs any surname directly before a title, including surnames that are common words', () => {
    for (const n of ['任', '焦', '钱', '万', '白', '石', '方', '欧阳', '司马']) {
      for (const t of ['医生', '大夫', '主任', '教授', '院长', '医师', '护士']) expect(S(`谢谢${n}${t}的建议`)).toBe(`谢谢<NAME>${t}的建议`);
    }
  });

  it('scrubs full names before a title after an introducer, and marked full names', () => {
    expect(S('谢谢王建国医生')).toBe('谢谢<NAME>医生');
    expect(S('我找了李华主任看过')).toBe('我找了<NAME>主任看过');
    expect(S('我叫张小明，今年30岁')).toBe('我叫<NAME>，今年30岁');
    expect(S('我是刘芳，最近头痛')).toBe('我是<NAME>，最近头痛');
    expect(S('患者：陈某某，咳嗽')).toBe('患者：<NAME>，咳嗽');
    expect(S('姓名：赵丽，电话')).toBe('姓名：<NAME>，电话');
    expect(S('刘**，女，43岁，居住十六巷2号')).toBe('<NAME>，女，43岁，居住<ADDRESS>');
    expect(S('周建华，男，56岁')).toBe('<NAME>，男，56岁');
    expect(S('我女儿王小红今年5岁')).toBe('我女儿<NAME>今年5岁');
    expect(S('我儿子叫李明明，发烧')).toBe('我儿子叫<NAME>，发烧');
  });

  it('scrubs a full name after an institution and before a 副 title (record review): …医院王建国医生, 内科张三丰主任, 挂李志明副主任医师的号', () => {
    expect(scrubPii('我是市第一医院王建国医生')).toBe('我是市第一医院<NAME>医生');
    expect(scrubPii('呼吸内科张三丰主任看过')).toBe('呼吸内科<NAME>主任看过');
    expect(scrubPii('心血管病中心刘明华大夫为您解答')).toBe('心血管病中心<NAME>大夫为您解答');
    expect(scrubPii('网上挂李志明副主任医师的号')).toBe('网上挂<NAME>副主任医师的号');
    expect(scrubPii('挂周三李志明主任的号，星期五王建国医生不在')).toBe('挂周三<NAME>主任的号，星期五<NAME>医生不在');
    expect(scrubPii('我们医院的医生说没事，儿科主治医生也这么说')).toBe('我们医院的医生说没事，儿科主治医生也这么说');
  });

  it('scrubs a three-character name of given-name characters before a title after any word (昨天X主任, 专家X主任, 试验的X大夫)', () => {
    expect(S('我父亲前列腺癌，昨天吴丹枫主任开了药')).toBe('我父亲前列腺癌，昨天<NAME>主任开了药');
    expect(S('血管瘤专家陈湘莲主任说不用手术')).toBe('血管瘤专家<NAME>主任说不用手术');
    expect(S('加了临床试验的高金英大夫微信')).toBe('加了临床试验的<NAME>大夫微信');
    expect(S('我让我科的刘庆华教授与你们联系')).toBe('我让我科的<NAME>教授与你们联系');
    // ordinary words and hospitals before a title stay: their characters are not given-name ones
    for (const t of ['请始终依据医生的建议', '必须根据医生的处方', '在专业皮肤医生的指导下', '今天检查完医生说还好', '建议您亲戚配合医生治疗', '根据检查结果医生判断为感冒', '长沙湘雅医生说没事', '上海瑞金医生看过了', '济南齐鲁医生也这么说', '我开始怀疑医生给的结果']) {
      expect(S(t)).toBe(t);
    }
  });

  it('scrubs the doctor a form names after 预约医生：/约医生：/主治医生：, on its line or the next, but not a department or a blank', () => {
    expect(S('预约医生： 刘金华\n疾病：咳嗽')).toBe('预约医生： <NAME>\n疾病：咳嗽');
    expect(S('约医生：\n申翼\n疾病：发热')).toBe('约医生：\n<NAME>\n疾病：发热');
    expect(S('预约医生：成友军')).toBe('预约医生：<NAME>'); // a function-word surname too: the label says a person follows
    expect(S('主治医生：欧阳小明，说没事')).toBe('主治医生：<NAME>，说没事');
    for (const t of ['预约医生：未填写', '就诊医生：呼吸科', '预约医生：全科医生', '预约医生：不详']) expect(S(t)).toBe(t);
  });

  it("keeps the booked doctor's name out of an import reject's raw input in the rejects file", () => {
    const r = makeReject({ stage: 'import', reason: 'import.no_dialogue', detail: 'consultation id=9 has no Dialogue section', origin: { format: 'meddialog', file: 'x.txt', sourceId: '9', position: 9 }, input: 'id=9\n\nDescription\n预约医生： 刘金华\n疾病： 咳嗽\n' });
    const out = rejectForOutput(r, { rawInput: 'capped', maxRawChars: 4000 });
    expect(out.input).toBe('id=9\n\nDescription\n预约医生： <NAME>\n疾病： 咳嗽\n');
  });

  it('leaves a product that looks like surname + title alone when it is being used (用皮护士，…), not a doctor the patient used', () => {
    expect(S('现在在用皮护士，吃的三黄片')).toBe('现在在用皮护士，吃的三黄片');
    expect(S('晚上擦了马应龙护士霜')).toBe('晚上擦了马应龙护士霜');
    expect(S('我用王医生开的药')).toBe('我用<NAME>医生开的药');
    expect(S('按体重服用，司马医生')).toBe('按体重服用，<NAME>医生'); // the verb ends the clause before the name
    expect(S('谢谢皮护士')).toBe('谢谢<NAME>护士');
  });

  it('keeps the sentence before an address in text without punctuation (at most a character of it goes with the place name)', () => {
    expect(S('我家孩子一直发烧咳嗽北京市朝阳区建国路88号')).toBe('我家孩子一直发烧咳<ADDRESS>');
    expect(S('头疼三天了吃了药朝阳区建国路88号3单元')).toBe('头疼三天了吃了<ADDRESS>');
    expect(S('住在广东省广州市天河区天河路385号')).toBe('住在<ADDRESS>');
    expect(S('黑龙江省哈尔滨市南岗区西大直街92号')).toBe('<ADDRESS>');
    expect(S('广州市中山北路8号')).toBe('<ADDRESS>');
  });

  it('scrubs phones with any separator or +86, landlines and 400/800 hotlines', () => {
    for (const p of ['13812345678', '138 1234 5678', '138-1234-5678', '138．1234．5678', '138－1234－5678', '138\u00a01234\u00a05678', '+86 138 1234 5678', '+8613812345678', '(010)62345678', '（021）6234 5679', '010-62345670', '0755-8234567', '400-820-8820', '800 810 8888', '4006001234']) {
      expect(S(`电话${p}，`)).toBe('电话<PHONE>，');
    }
  });

  it('recognises resident IDs of 18 and 15 digits by birth date and check digit, with or without spaces', () => {
    expect(idCheckDigit('11010519491231002')).toBe('X');
    expect(isResidentId18('11010519491231002X')).toBe(true);
    expect(isResidentId18('110105194912310021')).toBe(false);
    expect(isResidentId15('110105491231002')).toBe(true);
    expect(isResidentId15('110105491331002')).toBe(false);
    for (const id of ['11010519491231002X', '110105 19491231 002X', '110105491231002']) expect(S(`身份证${id}。`)).toBe('身份证<ID>。');
    expect(S('编号110105194912310021。')).toBe('编号110105194912310021。');
  });

  it('scrubs QQ, WeChat and e-mail in their spellings', () => {
    for (const q of ['QQ：12345678', 'qq 12345678', '扣扣 87654321', 'Q号：23456789', '扣：34567890', 'QQ号码：45678901']) expect(S(`加我${q}，`)).toBe('加我<QQ>，');
    for (const w of ['微信：doc_li2020', '微信号：doc_li2020', '微信号码：wxid_abc123', 'vx：abcxyz345', 'Vx: abcde1234', 'V信 zhangsan_88', 'wx：hello_2020x', 'WeChat: marywang_1', '微信13812345678']) expect(S(`加${w}，`)).toBe('加<WECHAT>，');
    for (const e of ['zhang.san@example.com', 'zhang.san＠example.com', 'li.si at example.net', 'wang_wu@mail.example.org']) expect(S(`发到${e}，`)).toBe('发到<EMAIL>，');
  });

  it('scrubs street addresses', () => {
    expect(S('住在建国路88号')).toBe('住在<ADDRESS>');
    expect(S('3栋2单元501室')).toBe('<ADDRESS>');
    expect(S('人民街12号5号楼302室')).toBe('<ADDRESS>');
  });

  it('leaves medical words, dosages, dates and lab values alone', () => {
    const keep = [
      '任何医生都会这么说', '明白医生的意思', '谢谢医生', '感谢医生', '多谢大夫', '这是主任医师开的', '副主任医师', '看了全科医生', '去看皮肤科医生', '值班医生说',
      '我想向医生咨询一下', '那医生我该怎么办', '对方医生说', '处方医生', '方医生', // the last is a name: checked below
      '每次10mg，每日3次', '阿莫西林0.5g，一天三次', '2020-02-11填写', '2020年3月5日复查', '白细胞12.5×10^9/L', '血压150/90mmHg', '体温38.5度', '血小板300',
      '心率138，血压120/110，95', '左心室射血分数55%', '乙肝表面抗原0.05', '结石3mm', '空腹血糖6.1', '身高170体重65', '孕12周', 'CT示右肺结节8mm',
    ];
    for (const k of keep.filter((x) => x !== '方医生')) expect(S(k)).toBe(k);
    expect(S('方医生')).toBe('<NAME>医生');
  });

  it('keeps placeholders stable through the whole cleaning and counts them by type', () => {
    const counts = {};
    expect(cleanText('电话：１３８ １２３４ ５６７８，任医生说', { toSimplified: true, scrubPii: true, piiCounts: counts })).toBe('电话：<PHONE>，<NAME>医生说');
    expect(counts).toEqual({ PHONE: 1, NAME: 1 });
  });

  it('lists each scrub with its span for review', () => {
    expect(scrubSpans('谢谢任医生，电话13812345678')).toEqual([{ type: 'PHONE', match: '13812345678' }, { type: 'NAME', match: '任医生' }]);
    expect(PLACEHOLDERS).toContain('ADDRESS');
  });

  it('scrubs a full name after a measure word and a function-word surname addressed at a sentence start', () => {
    expect(scrubPii('上次那个张志刚医生让我减量')).toBe('上次那个<NAME>医生让我减量');
    expect(scrubPii('一个好医生')).toBe('一个好医生');
    expect(scrubPii('那个温柔医生很耐心')).toBe('那个温柔医生很耐心');
    expect(scrubPii('那个华西医生说要手术')).toBe('那个华西医生说要手术');
    expect(scrubPii('这个主治医生说没事')).toBe('这个主治医生说没事');
    expect(scrubPii('应主任，麻烦您看下片子')).toBe('<NAME>主任，麻烦您看下片子');
    expect(scrubPii('好的。于医生您好，我想问一下')).toBe('好的。<NAME>医生您好，我想问一下');
    // the same characters as ordinary words stay
    expect(scrubPii('那医生，我该怎么办')).toBe('那医生，我该怎么办');
    expect(scrubPii('应医生要求复查')).toBe('应医生要求复查');
    expect(scrubPii('我们应主任医师的要求')).toBe('我们应主任医师的要求');
  });
});

describe('a surname after 一下 / 问下 (session-18 audit)', () => {
  it('scrubs 周 + title after 一下 or 问下, and leaves 下周 (next week) before a title alone', () => {
    expect(scrubPii('请问一下周教授，是这种可乐必妥吗？')).toBe('请问一下<NAME>教授，是这种可乐必妥吗？');
    expect(scrubPii('问下周医生吧')).toBe('问下<NAME>医生吧');
    expect(scrubPii('下周医生会来')).toBe('下周医生会来');
    expect(scrubPii('等到下周医生再看')).toBe('等到下周医生再看');
  });
});
