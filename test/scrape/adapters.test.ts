import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ADAPTERS, adapterForUrl } from '../../src/scrape/adapters/index.js';
import { haodfAdapter } from '../../src/scrape/adapters/index.js';
import { chunyuAdapter } from '../../src/scrape/adapters/index.js';
import { xywyAdapter } from '../../src/scrape/adapters/index.js';
import { ask120Adapter } from '../../src/scrape/adapters/index.js';
import { benchAdapters } from '../../src/scrape/bench.js';
import { decodeHtml } from '../../src/scrape/charset.js';
import { sharedData } from '../support/services.js';

function text(file: string): string {
  const d = decodeHtml(readFileSync(file));
  if (!d.ok) throw new Error(d.detail);
  return d.text;
}

describe('site adapters', () => {
  it('parses the real haodf page into 5 turns with the speakers its icons give', () => {
    const r = haodfAdapter.parse(text(sharedData('html', 'haodf', 'haodf_flow_page_2020.html')), 'https://www.haodf.com/flow/menzhen_pr_6481987203_8888362349.html');
    if ('unrecognised' in r) throw new Error(r.unrecognised);
    expect(r.turns.map((t) => t.speaker)).toEqual(['患者', '医生', '患者', '患者', '医生']);
    expect(r.turns.slice(1).map((t) => t.text)).toEqual([
      '建议先不要更换药物，就近医院心内科门诊做个心脏彩超以及动态心电图，另外需要完善甲状腺功能',
      '谢谢医生',
      '完善甲状腺功能，您是指做甲状腺功能检查吗',
      '是的',
    ]);
    expect(r.turns[0].text.split('\n')[0]).toBe('疾病：冠心病、糖尿病，常心跳、出汗，干呕乏力');
    expect(r.turns[0].text).not.toContain('病历资料仅医生和患者本人可见');
    expect([r.sourceId, r.department, r.doctorTitle, r.disease]).toEqual(['menzhen_pr_6481987203_8888362349', '心内科', '副主任医师', '冠心病、糖尿病，常心跳、出汗，干呕乏力']);
  });

  it('parses the haodf fixture, ignoring markup that only a script would create', () => {
    const r = haodfAdapter.parse(text('fixtures/html/haodf/menzhen_fx_1001_2001.html'), 'https://www.haodf.com/flow/menzhen_fx_1001_2001.html');
    expect(r).toEqual({
      sourceId: 'menzhen_fx_1001_2001',
      turns: [
        { speaker: '患者', text: '疾病：胃胀反酸\n病情描述：最近两个月吃完饭就胃胀，晚上躺下会反酸，偶尔嗳气。\n希望获得的帮助：需要做胃镜吗？平时饮食要注意什么？' },
        { speaker: '医生', text: '症状像胃食管反流，建议先做胃镜检查。\n晚饭不要吃太饱，饭后两小时内不要平躺。' },
        { speaker: '患者', text: '胃镜要空腹去吗？' },
        { speaker: '医生', text: '是的，检查前一晚十点以后不要进食。' },
      ],
      title: '反复胃胀、反酸两个月 饭后胃胀反酸怎么办',
      department: '消化内科',
      doctorTitle: '主治医师',
      disease: '胃胀反酸',
      description: '最近两个月吃完饭就胃胀，晚上躺下会反酸，偶尔嗳气。',
    });
  });

  it('parses the chunyu fixture: the doctor h6 is a name, 患者 marks the patient', () => {
    const r = chunyuAdapter.parse(text('fixtures/html/chunyu/qa_fxAbC123xyz.html'), 'https://www.chunyuyisheng.com/pc/qa/fxAbC123xyz/');
    expect(r).toEqual({
      sourceId: 'fxAbC123xyz',
      turns: [
        { speaker: '患者', text: '四岁孩子咳嗽一周，白天还好，夜里咳得厉害，不发烧。（男，4岁）' },
        { speaker: '医生', text: '你好，咳的时候有没有痰？有没有喘息的声音？' },
        { speaker: '患者', text: '有一点痰，没听到喘。' },
        { speaker: '医生', text: '可以先多喝温水，睡前抬高枕头。\n如果超过两周还咳，需要带孩子到医院查一下。' },
      ],
      title: '孩子咳嗽一周夜里加重怎么办',
      department: '儿科',
      doctorTitle: '主治医师',
      description: '四岁孩子咳嗽一周，白天还好，夜里咳得厉害，不发烧。',
    });
  });

  it('parses the GBK xywy fixture, keeping the first doctor answer', () => {
    const r = xywyAdapter.parse(text('fixtures/html/xywy/static_20160503_fx1234567.htm'), 'http://club.xywy.com/static/20160503/fx1234567.htm');
    expect(r).toEqual({
      sourceId: 'fx1234567',
      turns: [
        { speaker: '患者', text: '最近体检量血压150/95，没有头晕头痛，平时爱吃咸。\n需要马上吃降压药吗？' },
        { speaker: '医生', text: '你好，根据你说的情况属于一级高血压。\n建议先低盐饮食、规律运动，连续监测两周血压，仍高于140/90再考虑用药。' },
      ],
      singleTurn: true,
      title: '血压150/95需要吃药吗',
      department: '心血管内科',
      doctorTitle: '副主任医师',
    });
  });

  it('parses the GBK 120ask fixture with its labelled question paragraphs', () => {
    const r = ask120Adapter.parse(text('fixtures/html/120ask/question_fx70551.htm'), 'https://www.120ask.com/question/fx70551.htm');
    expect(r).toEqual({
      sourceId: 'fx70551',
      turns: [
        { speaker: '患者', text: '健康咨询描述：月经一向规律，这次推迟了十天，验孕棒是一道杠。最近加班多，睡得晚。\n曾经的治疗情况和效果：没有吃过药。\n想得到怎样的帮助：需要去医院检查吗？' },
        { speaker: '医生', text: '病情分析：\n压力大、作息不规律可以引起月经推迟。\n指导意见：\n先调整作息，若推迟超过两周或仍未来潮，建议查B超和性激素。' },
      ],
      singleTurn: true,
      title: '月经推迟十天没怀孕是怎么回事',
      department: '妇科',
      doctorTitle: '主任医师',
      description: '月经一向规律，这次推迟了十天，验孕棒是一道杠。最近加班多，睡得晚。',
    });
  });

  it('reports an unknown layout instead of guessing', () => {
    const html = text('fixtures/html/unknown/login_wall.html');
    for (const a of ADAPTERS) expect(a.parse(html, 'https://example.com/x').hasOwnProperty('unrecognised')).toBe(true);
    expect(haodfAdapter.parse(html, 'https://www.haodf.com/flow/x.html')).toEqual({ unrecognised: 'no div.f-card turn cards: not a haodf consultation flow page' });
    const noIcon = '<html><body><div class="f-card"><p class="f-c-r-doctext">hi</p></div></body></html>';
    expect(haodfAdapter.parse(noIcon, 'https://www.haodf.com/flow/x.html')).toEqual({ unrecognised: 'card 1 has no doctor.png/patient.png speaker icon (img.f-c-r-usertype src="")' });
  });

  it('picks the adapter for a URL by site host or page path', () => {
    const name = (u: string) => adapterForUrl(new URL(u))?.name;
    expect(name('https://www.haodf.com/flow/menzhen_pr_1_2.html')).toBe('haodf');
    expect(name('https://www.chunyuyisheng.com/pc/qa/abc/')).toBe('chunyu');
    expect(name('http://club.xywy.com/static/20160503/1.htm')).toBe('xywy');
    expect(name('https://www.120ask.com/question/1.htm')).toBe('120ask');
    expect(name('http://127.0.0.1:8080/question/1.htm')).toBe('120ask');
    expect(name('https://example.com/')).toBeUndefined();
  });

  it('benchmarks every adapter on its fixture pages', () => {
    const rows = benchAdapters(3);
    expect(rows.map((r) => r.adapter)).toEqual(['haodf', 'chunyu', 'xywy', '120ask', 'haodf (real page)']);
    for (const r of rows) expect(r.pagesPerSec).toBeGreaterThan(0);
  });
});
