import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { haodfAdapter } from '../../src/scrape/adapters/index.js';
import { decodeHtml } from '../../src/scrape/charset.js';

// Era by era through ../shared/notes/scraping-layouts.md, with pages written here from the class names
// the crawlers quote (no page text is copied).
const decoded = (b: Buffer) => {
  const d = decodeHtml(b);
  if (!d.ok) throw new Error(d.detail);
  return d;
};

describe('haodf 2022+ bingcheng as the crawlers saw the markup', () => {
  // The crawlers' regexes read `content-himcontent-text` only because they strip every space from the
  // markup first: the spans are `content-him content-text` (and `content-him-patient` for the patient),
  // privacy stand-ins `content-him content-privacy`, voice `content-audio-time` / `content-audio-text`.
  const bubble = (side: 'left' | 'right', inner: string) => `<div class="msg-item item-${side}"><div class="msg-time">2023-03-08 19:0${side === 'left' ? 1 : 2}</div>${inner}</div>`;
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>腰椎间盘突出复查_好大夫在线</title></head><body>
    <div class="doctor-info"><span class="info-text-name">甘医生</span><span class="info-text-grade">主任医师</span><a href="https://www.haodf.com/hospital/fx8.html">示例医院</a><a href="https://www.haodf.com/faculty/fx81.html">骨科</a></div>
    <p class="diseaseinfo"><span class="diseaseinfotitle">患者病情</span><span class="info3-title">疾病：</span><span class="info3-value">腰椎间盘突出</span><br><span class="info3-title">病情描述：</span><span class="info3-value newline">弯腰时右腿发麻，已经一个月。</span></p>
    ${bubble('left', '<span class="content-com-title">医生已接诊</span><span class="content-com-text">您好，麻的范围到小腿还是脚？</span>')}
    ${bubble('right', '<span class="content-him content-text content-him-patient">到脚背，晚上更明显。</span>')}
    ${bubble('right', '<span class="content-him content-privacy">病历资料仅医生和患者本人可见</span>')}
    ${bubble('left', '<span class="content-audio-time">32″</span><span class="content-audio-text">语音</span>')}
    ${bubble('left', '<span class="content-him content-text">先做腰椎核磁共振，<br>这段时间避免久坐和弯腰搬重物。</span>')}
    ${bubble('right', '<span class="content-him content-text content-him-patient">好的，做完再来找您。</span>')}
    <div class="suggestions-text"><span class="suggestions-text-value">腰椎核磁共振，卧硬板床。</span></div>
    </body></html>`;

  it('reads the doctor\'s and the patient\'s content-him content-text messages (dropped before: only the intake and the first message were left), a privacy stand-in and a voice message are not turns', () => {
    const r = haodfAdapter.parse(html, 'https://www.haodf.com/bingcheng/fx_8801.html');
    expect(r).toEqual({
      sourceId: 'fx_8801',
      turns: [
        { speaker: '患者', text: '疾病：腰椎间盘突出\n病情描述：弯腰时右腿发麻，已经一个月。' },
        { speaker: '医生', text: '您好，麻的范围到小腿还是脚？' },
        { speaker: '患者', text: '到脚背，晚上更明显。' },
        { speaker: '医生', text: '先做腰椎核磁共振，\n这段时间避免久坐和弯腰搬重物。' },
        { speaker: '患者', text: '好的，做完再来找您。' },
        { speaker: '医生', text: '腰椎核磁共振，卧硬板床。' },
      ],
      layout: 'haodf/bingcheng-2022',
      placeholders: 2,
      title: '腰椎间盘突出复查',
      department: '骨科',
      doctorTitle: '主任医师',
      disease: '腰椎间盘突出',
      description: '弯腰时右腿发麻，已经一个月。',
    });
  });

  it('the patient class decides the speaker even where the bubble side says otherwise', () => {
    const swapped = html.replace('<div class="msg-item item-right"><div class="msg-time">2023-03-08 19:02</div><span class="content-him content-text content-him-patient">到脚背', '<div class="msg-item item-left"><div class="msg-time">2023-03-08 19:02</div><span class="content-him content-text content-him-patient">到脚背');
    const r = haodfAdapter.parse(swapped, 'https://www.haodf.com/bingcheng/fx_8801.html');
    expect('turns' in r && r.turns[2]).toEqual({ speaker: '患者', text: '到脚背，晚上更明显。' });
  });
});

describe('haodf doctor profiles and re-saved pages', () => {
  it('a doctor\'s profile sub-page (/doctor/<id>/…) or a profile in the 2020+ markup (h1.doctor-name, li.doctor-faculty) under a consultation URL is not a consultation', () => {
    const profile = `<html><head><meta charset="utf-8"><title>甘医生_介绍_好大夫在线</title></head><body><h1 class="doctor-name js-doctor-name">甘医生</h1><span class="doctor-title">主任医师</span>
      <ul><li class="doctor-faculty"><a href="/hospital/fx8.html">示例医院</a><a href="/faculty/fx81.html">骨科</a></li></ul><p>擅长腰椎疾病。</p></body></html>`;
    expect(haodfAdapter.parse(profile, 'https://www.haodf.com/doctor/fx9001/xinxi-jieshao.html')).toEqual({ unrecognised: 'a doctor profile page (/doctor/fx9001/xinxi-jieshao.html), not a consultation', kind: 'not_consultation' });
    expect(haodfAdapter.parse(profile, 'https://www.haodf.com/flow/fx_1.html')).toEqual({ unrecognised: 'a doctor profile page, not a consultation', kind: 'not_consultation' });
  });

  it('a 2015–19 zzx page re-saved as UTF-8 under its gb2312 meta reads exactly as the GBK original', () => {
    const gbk = decoded(readFileSync('fixtures/html/haodf/wenda_fx_3001.htm'));
    const resaved = decoded(Buffer.from(iconv.decode(readFileSync('fixtures/html/haodf/wenda_fx_3001.htm'), 'gb18030'), 'utf8'));
    expect([resaved.charset, resaved.declared, resaved.mismatch]).toEqual(['utf-8', 'gb2312', true]);
    const url = 'https://www.haodf.com/wenda/fx_3001.htm';
    expect(haodfAdapter.parse(resaved.text, url)).toEqual(haodfAdapter.parse(gbk.text, url));
  });
});
