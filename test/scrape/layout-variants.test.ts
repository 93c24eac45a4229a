import { describe, it, expect } from '@jest/globals';
import { ask120Adapter, chunyuAdapter, haodfAdapter, xywyAdapter } from '../../src/scrape/adapters/index.js';

// Variants of the layouts in ../shared/notes/scraping-layouts.md, written here (no page text is copied):
// markup the crawlers' class names allow that the fixtures do not show.
const turnsOf = (r: ReturnType<typeof haodfAdapter.parse>) => ('turns' in r ? r.turns : r);
const speakersOf = (r: ReturnType<typeof haodfAdapter.parse>) => ('turns' in r ? r.turns.map((t) => t.speaker) : r);

describe('layout variants the fixtures do not show', () => {
  it('chunyu: a patient h6 that carries more than 患者 (a span with sex and age, a colon) is still the patient', () => {
    const line = (h6: string, p: string) => `<div class="block-line"><div class="block-right"><h6>${h6}</h6><p>${p}</p></div></div>`;
    const html = `<html><body><div class="js-info" data-problem="fxV1"></div><main class="content"><section><section class="problem-detail-wrap"><section class="problem-detail-inner">
      ${line('患者<span class="age">（女，31岁）</span>', '手腕扭了一下，现在还肿。')}${line('钱医生', '能活动吗？先冷敷。')}${line('患者：', '能动，就是疼。')}
      </section></section></section></main></body></html>`;
    expect(turnsOf(chunyuAdapter.parse(html, 'https://www.chunyuyisheng.com/pc/qa/fxV1/'))).toEqual([
      { speaker: '患者', text: '手腕扭了一下，现在还肿。' },
      { speaker: '医生', text: '能活动吗？先冷敷。' },
      { speaker: '患者', text: '能动，就是疼。' },
    ]);
    const ctx = html.replace(/block-right/g, 'context-left');
    expect(speakersOf(chunyuAdapter.parse(ctx, 'https://www.chunyuyisheng.com/pc/qa/fxV1/'))).toEqual(['患者', '医生', '患者']);
  });

  it('120ask 2015: a span inside the question text (an editor highlight) is text, not a label; only a span that leads the paragraph labels it', () => {
    const html = `<html><body><div class="b_askcont">
      <p class="crazy_new"><span>健康咨询描述：</span>右耳<span style="color:red">嗡嗡</span>响了一周。</p>
      <p class="crazy_new">晚上<span class="hl">更明显</span>，白天好一点。</p></div>
      <div class="b_answerli"><div class="crazy_new">先查一下听力。</div></div></body></html>`;
    const r = ask120Adapter.parse(html, 'https://www.120ask.com/question/fxV2.htm');
    expect(turnsOf(r)).toEqual([
      { speaker: '患者', text: '健康咨询描述：右耳嗡嗡响了一周。\n晚上更明显，白天好一点。' },
      { speaker: '医生', text: '先查一下听力。' },
    ]);
    expect('description' in r && r.description).toBe('右耳嗡嗡响了一周。');
  });

  it('120ask 2017+: a question written straight into #d_msCon (no <p>) is the patient turn, not dropped', () => {
    const html = `<html><body><div class="b_askti"><h1 id="d_askH1">膝盖响</h1></div>
      <div class="b_askdesc"><div id="d_msCon">蹲下起来膝盖总是咔咔响，<br>不疼，需要治疗吗？</div></div>
      <div class="b_answerli"><div class="b_answertl"><span class="b_sp1">主治医师</span></div><div class="crazy_doctor">不疼一般不用处理，注意少蹲。</div></div></body></html>`;
    expect(turnsOf(ask120Adapter.parse(html, 'https://www.120ask.com/question/fxV3.htm'))).toEqual([
      { speaker: '患者', text: '蹲下起来膝盖总是咔咔响，\n不疼，需要治疗吗？' },
      { speaker: '医生', text: '不疼一般不用处理，注意少蹲。' },
    ]);
  });

  it('haodf 2020–21 flow: doctor and patient text in a <div> (not a <p>) with the f-c-r classes is read, not dropped', () => {
    const card = (who: string, body: string) => `<div class="js-f-card f-card clearfix"><div class="f-c-right"><img class="f-c-r-doctor f-c-r-usertype" src="//i.example/${who}.png"><div class="f-c-r-info">${who}</div><div class="f-c-r-content"><div class="f-c-r-wrap">${body}</div></div><div class="f-c-r-date"><div class="f-c-r-date-right">发表于：03.04</div></div></div></div>`;
    const html = `<html><body><div class="flowdetail">
      ${card('patient', '<h4 class="f-c-r-w-subtitle">病情描述</h4><div class="f-c-r-w-text">孩子晚上磨牙，白天正常。</div>')}
      ${card('doctor', '<div class="f-c-r-doctext">多数和睡前兴奋有关，<br>先观察。</div><div class="f-c-r-tip">郑重提示：线上咨询不能代替面诊</div>')}
      ${card('patient', '<div class="f-c-r-w-text">需要补钙吗？</div>')}
      </div></body></html>`;
    expect(turnsOf(haodfAdapter.parse(html, 'https://www.haodf.com/flow/fx_v4.html'))).toEqual([
      { speaker: '患者', text: '病情描述：孩子晚上磨牙，白天正常。' },
      { speaker: '医生', text: '多数和睡前兴奋有关，\n先观察。' },
      { speaker: '患者', text: '需要补钙吗？' },
    ]);
  });

  it('paragraphs and divs inside one text element are lines, not run together (血压150/90 and 心率80 stay apart)', () => {
    const html = `<html><body><div class="b_askcont"><p class="crazy_new"><span>健康咨询描述：</span>最近头晕。</p></div>
      <div class="b_answerli"><div class="crazy_new"><p>病情分析：血压150/90</p><p>80次/分也偏快。</p><div>指导意见：</div><ul><li>低盐饮食</li><li>复测血压</li></ul></div></div></body></html>`;
    expect(turnsOf(ask120Adapter.parse(html, 'https://www.120ask.com/question/fxV5.htm'))).toEqual([
      { speaker: '患者', text: '健康咨询描述：最近头晕。' },
      { speaker: '医生', text: '病情分析：血压150/90\n80次/分也偏快。\n指导意见：\n低盐饮食\n复测血压' },
    ]);
    const xywy = `<html><body><div id="qdetailc"><p>空腹血糖7.2</p><p>6.8是餐后的，正常吗？</p></div>
      <div class="docall"><div class="qsdetail"><div class="Doc_dochf"><div class="pt15 f14 graydeep pl20 pr20"><div>空腹偏高，</div><div>建议复查糖化血红蛋白。</div></div></div></div></div></body></html>`;
    expect(turnsOf(xywyAdapter.parse(xywy, 'http://club.xywy.com/question/fxV5.htm'))).toEqual([
      { speaker: '患者', text: '空腹血糖7.2\n6.8是餐后的，正常吗？' },
      { speaker: '医生', text: '空腹偏高，\n建议复查糖化血红蛋白。' },
    ]);
  });

  it('haodf 2015–19 zzx: labelled intake fields inside an extra wrapper div keep their own labels (disease is not the whole card)', () => {
    const html = `<html><body><div class="zzx_yh_con">
      <div class="zzx_yh_stream"><div class="yh_l_huan"></div><div class="h_s_cons_info"><h3 class="h_s_cons_info_title">耳鸣</h3>
        <div class="h_s_cons_body"><p><strong class="cblues1">疾病：</strong>耳鸣</p><p><strong class="cblues1">病情描述：</strong>左耳嗡嗡响半个月。</p></div></div></div>
      <div class="zzx_yh_stream"><div class="yh_l_doctor"></div><div class="h_s_cons_docs"><h3 class="h_s_cons_title">先做个纯音测听。</h3></div></div>
      </div></body></html>`;
    const r = haodfAdapter.parse(html, 'https://www.haodf.com/wenda/fx_v6.htm');
    expect(turnsOf(r)).toEqual([
      { speaker: '患者', text: '疾病：耳鸣\n病情描述：左耳嗡嗡响半个月。' },
      { speaker: '医生', text: '先做个纯音测听。' },
    ]);
    expect('disease' in r && [r.disease, r.description]).toEqual(['耳鸣', '左耳嗡嗡响半个月。']);
  });

  it('a login page served with 200 that asks for a phone number and an SMS code (no password field) is a login wall, on every site', () => {
    const html = `<html><head><title>登录</title></head><body><div class="login-panel"><h2>手机号登录</h2>
      <form action="/nlogin/mobile" method="post"><input name="mobile" type="tel"><input name="smscode"><button>获取验证码</button></form></div></body></html>`;
    expect(haodfAdapter.parse(html, 'https://www.haodf.com/bingcheng/fx_v7.html')).toEqual({ unrecognised: 'a login page is served instead of the consultation', kind: 'login' });
    for (const [a, u] of [[chunyuAdapter, 'https://www.chunyuyisheng.com/pc/qa/fxV7/'], [xywyAdapter, 'http://club.xywy.com/question/fxV7.htm'], [ask120Adapter, 'https://www.120ask.com/question/fxV7.htm']] as const) {
      expect(a.parse(html, u)).toMatchObject({ kind: 'login' });
    }
  });
});
