import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { ADAPTERS, adapterForUrl, ask120Adapter, chunyuAdapter, haodfAdapter, xywyAdapter } from '../../src/scrape/adapters/index.js';
import { benchAdapters } from '../../src/scrape/bench.js';
import { decodeHtml } from '../../src/scrape/charset.js';
import { layoutAdapter } from '../../src/scrape/layout-engine.js';
import haodfSite from '../../src/scrape/layouts/haodf/site.json' with { type: 'json' };
import haodfFlow from '../../src/scrape/layouts/haodf/flow-2020.json' with { type: 'json' };
import { sharedData } from '../support/services.js';

function text(file: string): { text: string; charset: string } {
  const d = decodeHtml(readFileSync(file));
  if (!d.ok) throw new Error(d.detail);
  return { text: d.text, charset: d.charset };
}
const page = (f: string) => text(`fixtures/html/${f}`).text;
const roles = (r: ReturnType<typeof haodfAdapter.parse>) => ('turns' in r ? r.turns.map((t) => t.speaker) : r);

describe('site adapters built from layout data', () => {
  it('haodf 2015–19 zzx_yh_stream: GBK bytes under a gb2312 meta, 6 alternating turns, labelled intake, department from the /faculty/ link', () => {
    const raw = readFileSync('fixtures/html/haodf/wenda_fx_3001.htm');
    expect(raw.toString('latin1')).toContain('charset=gb2312');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(raw)).toThrow(); // really GBK bytes
    const { text: html, charset } = text('fixtures/html/haodf/wenda_fx_3001.htm');
    expect(charset).toBe('gb18030'); // gb2312/gbk declarations decode as their superset
    const r = haodfAdapter.parse(html, 'https://www.haodf.com/wenda/fx_3001.htm');
    expect(r).toEqual({
      sourceId: 'fx_3001',
      turns: [
        { speaker: '患者', text: '疾病：蛋白尿\n病情描述：单位体检尿常规显示尿蛋白一个加号，血压正常，早上起床眼皮有点肿。\n希望获得的帮助：要不要做进一步检查？' },
        { speaker: '医生', text: '先复查一次晨尿常规，\n再查一个二十四小时尿蛋白定量。' },
        { speaker: '患者', text: '复查时需要空腹吗？' },
        { speaker: '医生', text: '不用空腹，留早上第一次的中段尿就可以。' },
        { speaker: '患者', text: '定量结果是零点三克，算高吗？' },
        { speaker: '医生', text: '略高于正常，建议来门诊看一下，必要时查肾功能。' },
      ],
      layout: 'haodf/zzx-2015',
      placeholders: 1,
      title: '体检发现尿蛋白一个加号',
      department: '肾内科',
      doctorTitle: '主任医师',
      disease: '蛋白尿',
      description: '单位体检尿常规显示尿蛋白一个加号，血压正常，早上起床眼皮有点肿。',
    });
  });

  it('never reads <script>, <style> or <noscript> text, not even inside a label (issue 9)', () => {
    const r = haodfAdapter.parse(page('haodf/wenda_fx_3001.htm'), 'https://www.haodf.com/wenda/fx_3001.htm');
    const all = JSON.stringify(r);
    expect(all).not.toContain('脚本写出的标签');
    expect(all).not.toContain('document.write');
    expect(all).not.toContain('请开启脚本');
    const styled = page('haodf/menzhen_fx_1001_2001.html').replace('<h4 class="f-c-r-w-subtitle">疾病</h4>', '<h4 class="f-c-r-w-subtitle">疾病<style>.x{color:red}</style><script>var leak=1</script></h4>');
    const s = haodfAdapter.parse(styled, 'https://www.haodf.com/flow/menzhen_fx_1001_2001.html');
    if (!('turns' in s)) throw new Error(s.unrecognised);
    expect(s.turns[0].text.split('\n')[0]).toBe('疾病：胃胀反酸');
    expect(s.disease).toBe('胃胀反酸');
  });

  it('haodf 2020–21 flow: the real page still parses into 5 turns with the speakers its icons give', () => {
    const r = haodfAdapter.parse(text(sharedData('html', 'haodf', 'haodf_flow_page_2020.html')).text, 'https://www.haodf.com/flow/menzhen_pr_6481987203_8888362349.html');
    if ('unrecognised' in r) throw new Error(r.unrecognised);
    expect(r.layout).toBe('haodf/flow-2020');
    expect(r.turns.map((t) => t.speaker)).toEqual(['患者', '医生', '患者', '患者', '医生']);
    expect(r.turns.slice(1).map((t) => t.text)).toEqual([
      '建议先不要更换药物，就近医院心内科门诊做个心脏彩超以及动态心电图，另外需要完善甲状腺功能',
      '谢谢医生',
      '完善甲状腺功能，您是指做甲状腺功能检查吗',
      '是的',
    ]);
    expect(r.turns[0].text.split('\n')[0]).toBe('疾病：冠心病、糖尿病，常心跳、出汗，干呕乏力');
    expect(r.turns[0].text).not.toContain('病历资料仅医生和患者本人可见');
    expect(r.placeholders).toBe(2);
    expect([r.sourceId, r.department, r.doctorTitle, r.disease]).toEqual(['menzhen_pr_6481987203_8888362349', '心内科', '副主任医师', '冠心病、糖尿病，常心跳、出汗，干呕乏力']);
  });

  it('haodf 2020–21 flow fixture, ignoring markup that only a script would create', () => {
    const r = haodfAdapter.parse(page('haodf/menzhen_fx_1001_2001.html'), 'https://www.haodf.com/flow/menzhen_fx_1001_2001.html');
    expect(r).toEqual({
      sourceId: 'menzhen_fx_1001_2001',
      turns: [
        { speaker: '患者', text: '疾病：胃胀反酸\n病情描述：最近两个月吃完饭就胃胀，晚上躺下会反酸，偶尔嗳气。\n希望获得的帮助：需要做胃镜吗？平时饮食要注意什么？' },
        { speaker: '医生', text: '症状像胃食管反流，建议先做胃镜检查。\n晚饭不要吃太饱，饭后两小时内不要平躺。' },
        { speaker: '患者', text: '胃镜要空腹去吗？' },
        { speaker: '医生', text: '是的，检查前一晚十点以后不要进食。' },
      ],
      layout: 'haodf/flow-2020',
      placeholders: 1,
      title: '反复胃胀、反酸两个月 饭后胃胀反酸怎么办',
      department: '消化内科',
      doctorTitle: '主治医师',
      disease: '胃胀反酸',
      description: '最近两个月吃完饭就胃胀，晚上躺下会反酸，偶尔嗳气。',
    });
  });

  it('haodf 2022+ item-left/item-right: intake, messages, advice; voice and image bubbles dropped and counted', () => {
    const r = haodfAdapter.parse(page('haodf/bingcheng_fx_5001.html'), 'https://www.haodf.com/bingcheng/fx_5001.html');
    expect(r).toEqual({
      sourceId: 'fx_5001',
      turns: [
        { speaker: '患者', text: '疾病：婴儿湿疹\n病情描述：八个月宝宝脸上和手肘反复起红疹，夜里抓痒睡不好。\n希望获得的帮助：平时怎么护理，要不要用药膏？' },
        { speaker: '医生', text: '你好，湿疹的关键是保湿，每天洗澡后三分钟内涂保湿霜。' },
        { speaker: '患者', text: '红得厉害的地方可以用什么药？' },
        { speaker: '医生', text: '红肿处可以短期薄涂弱效激素药膏，不超过一周。\n衣服选纯棉的，不要穿太多。' },
        { speaker: '患者', text: '好的，谢谢医生。' },
        { speaker: '医生', text: '诊后建议：坚持保湿，避免过热出汗，两周后复诊。' },
      ],
      layout: 'haodf/bingcheng-2022',
      placeholders: 2,
      title: '孩子反复湿疹怎么护理',
      department: '皮肤科',
      doctorTitle: '副主任医师',
      disease: '婴儿湿疹',
      description: '八个月宝宝脸上和手肘反复起红疹，夜里抓痒睡不好。',
    });
  });

  it('haodf: a doctor profile is not a consultation (by path, and by page), a login page is a login wall, anything else is unrecognised', () => {
    const profile = page('haodf/doctor_profile_fx.html');
    expect(haodfAdapter.parse(profile, 'https://www.haodf.com/doctor/fx123.html')).toEqual({ unrecognised: 'a doctor profile page (/doctor/fx123.html), not a consultation', kind: 'not_consultation' });
    expect(haodfAdapter.parse(profile, 'https://www.haodf.com/flow/x.html')).toEqual({ unrecognised: 'a doctor profile page, not a consultation', kind: 'not_consultation' });
    expect(haodfAdapter.parse(page('unknown/login_wall.html'), 'https://www.haodf.com/flow/x.html')).toEqual({ unrecognised: 'a login page is served instead of the consultation', kind: 'login' });
    expect(haodfAdapter.parse(page('unknown/news_page.html'), 'https://www.haodf.com/flow/x.html')).toEqual({ unrecognised: 'no haodf layout matches (tried zzx-2015, flow-2020, bingcheng-2022)', kind: 'layout' });
    expect(haodfAdapter.isLoginUrl(new URL('https://passport.haodf.com/user/login?redirect=x'))).toBe(true);
    expect(haodfAdapter.isLoginUrl(new URL('https://www.haodf.com/flow/x.html'))).toBe(false);
    const noIcon = '<html><body><div class="f-card"><p class="f-c-r-doctext">hi</p></div></body></html>';
    expect(haodfAdapter.parse(noIcon, 'https://www.haodf.com/flow/x.html')).toEqual({ unrecognised: 'haodf/flow-2020: turn 1 (div.f-card) matches no speaker rule', kind: 'layout' });
  });

  it('chunyu .context-left (2019, 2022–23): h6 患者 vs the doctor name, privacy and audio placeholders dropped, department from the breadcrumb', () => {
    const r = chunyuAdapter.parse(page('chunyu/qa_fxCtx2019q.html'), 'https://www.chunyuyisheng.com/pc/qa/fxCtx2019q/');
    expect(r).toEqual({
      sourceId: 'fxCtx2019q',
      turns: [
        { speaker: '患者', text: '五十岁，最近两个月上下楼梯右膝盖疼，平地走路还好。（女，50岁）' },
        { speaker: '医生', text: '你好，膝盖有没有肿？早上起来会不会发僵？' },
        { speaker: '患者', text: '不肿，早上有点僵，活动几分钟就好了。' },
        { speaker: '医生', text: '考虑膝关节退行性改变，建议拍个膝关节正侧位片。\n平时少爬楼梯，可以做直腿抬高练习。' },
      ],
      layout: 'chunyu/context-left',
      placeholders: 3,
      title: '膝盖上下楼梯疼是怎么回事',
      department: '骨科',
      doctorTitle: '主治医师',
    });
    expect(JSON.stringify(r)).not.toMatch(/隐私|audio/);
  });

  it('chunyu .block-right (2020–21), and the anti-crawling check: a page holding another question is not that question', () => {
    const r = chunyuAdapter.parse(page('chunyu/qa_fxAbC123xyz.html'), 'https://www.chunyuyisheng.com/pc/qa/fxAbC123xyz/');
    expect(r).toEqual({
      sourceId: 'fxAbC123xyz',
      turns: [
        { speaker: '患者', text: '四岁孩子咳嗽一周，白天还好，夜里咳得厉害，不发烧。（男，4岁）' },
        { speaker: '医生', text: '你好，咳的时候有没有痰？有没有喘息的声音？' },
        { speaker: '患者', text: '有一点痰，没听到喘。' },
        { speaker: '医生', text: '可以先多喝温水，睡前抬高枕头。\n如果超过两周还咳，需要带孩子到医院查一下。' },
      ],
      layout: 'chunyu/block-right',
      placeholders: 0,
      title: '孩子咳嗽一周夜里加重怎么办',
      department: '儿科',
      doctorTitle: '主治医师',
      description: '四岁孩子咳嗽一周，白天还好，夜里咳得厉害，不发烧。',
    });
    expect(chunyuAdapter.parse(page('chunyu/qa_fxCtx2019q.html'), 'https://www.chunyuyisheng.com/pc/qa/fxOther1/')).toEqual({
      unrecognised: 'the page holds question fxCtx2019q, not the requested fxOther1 (div.js-info[data-problem] data-problem)',
      kind: 'page_mismatch',
    });
  });

  it('xywy: GBK, department from the breadcrumb big_ link (not the doctor card), sub-category from the last small_, title from [title], 追问/回复 as turns, the second doctor as a thread of his own', () => {
    const { text: html, charset } = text('fixtures/html/xywy/question_20180712_fx7654321.htm');
    expect(charset).toBe('gb18030'); // gb2312/gbk declarations decode as their superset
    const r = xywyAdapter.parse(html, 'http://club.xywy.com/question/20180712/fx7654321.htm');
    expect(r).toEqual({
      sourceId: 'fx7654321',
      turns: [
        { speaker: '患者', text: '这半年吃完饭胃里有烧灼感，尤其吃辣以后，\n有时候还反酸水，没做过胃镜。' },
        { speaker: '医生', text: '你好，这种情况考虑胃食管反流或慢性胃炎。\n建议少吃辛辣，晚饭不要过饱，必要时做胃镜。' },
        { speaker: '患者', text: '胃镜一定要做吗？有没有别的办法？' },
        { speaker: '医生', text: '症状超过半年，建议做一次胃镜明确诊断。' },
      ],
      layout: 'xywy/club-2016',
      placeholders: 0,
      title: '饭后胃里烧得慌是什么原因',
      department: '内科',
      subcategory: '胃炎',
      shared: 1,
      threads: [{ turns: [{ speaker: '医生', text: '可以先吃点护胃的药观察。' }], placeholders: 0, singleTurn: true }],
    });
  });

  it('120ask 2015 (GBK): the doctor title from span.b_sp1, not the expertise span; the second doctor\'s answer a thread of its own', () => {
    const { text: html, charset } = text('fixtures/html/120ask/question_fx70551.htm');
    expect(charset).toBe('gb18030'); // gb2312/gbk declarations decode as their superset
    const r = ask120Adapter.parse(html, 'https://www.120ask.com/question/fx70551.htm');
    expect(r).toEqual({
      sourceId: 'fx70551',
      turns: [
        { speaker: '患者', text: '健康咨询描述：月经一向规律，这次推迟了十天，验孕棒是一道杠。最近加班多，睡得晚。\n曾经的治疗情况和效果：没有吃过药。\n想得到怎样的帮助：需要去医院检查吗？' },
        { speaker: '医生', text: '病情分析：\n压力大、作息不规律可以引起月经推迟。\n指导意见：\n先调整作息，若推迟超过两周或仍未来潮，建议查B超和性激素。' },
      ],
      layout: '120ask/ask-2015',
      placeholders: 0,
      singleTurn: true,
      title: '月经推迟十天没怀孕是怎么回事',
      department: '妇科',
      doctorTitle: '主任医师',
      description: '月经一向规律，这次推迟了十天，验孕棒是一道杠。最近加班多，睡得晚。',
      shared: 1,
      threads: [{ turns: [{ speaker: '医生', text: '注意休息，再观察一周。' }], placeholders: 0, doctorTitle: '医师', singleTurn: true }],
    });
  });

  it('120ask 2017+ (UTF-8): a voice answer is not text and gives no dialogue; the written answer and its own doctor title are kept', () => {
    const { text: html, charset } = text('fixtures/html/120ask/question_fx88231.htm');
    expect(charset).toBe('utf-8');
    const r = ask120Adapter.parse(html, 'https://www.120ask.com/question/fx88231.htm');
    expect(r).toEqual({
      sourceId: 'fx88231',
      turns: [
        { speaker: '患者', text: '健康咨询描述：三岁女儿下午开始发烧，最高三十九度，精神还可以，能喝水。\n想得到怎样的帮助：现在需要马上去医院吗？' },
        { speaker: '医生', text: '精神好、能喝水可以先在家物理降温，\n体温超过三十八度五可以吃退烧药；\n如果持续超过三天或精神变差，要及时去医院。' },
      ],
      layout: '120ask/ask-2017',
      placeholders: 1,
      singleTurn: true,
      title: '孩子发烧三十九度要去医院吗',
      department: '小儿内科',
      description: '三岁女儿下午开始发烧，最高三十九度，精神还可以，能喝水。',
      doctorTitle: '副主任医师',
    });
    expect(JSON.stringify(r)).not.toContain('您的浏览器不支持');
  });

  it('reports an unknown layout instead of guessing, for every site', () => {
    const html = page('unknown/news_page.html');
    for (const a of ADAPTERS) expect(a.parse(html, 'https://example.com/x')).toMatchObject({ kind: 'layout' });
  });

  it('validates layout data: a bad file is a config error that names the rule', () => {
    expect(() => layoutAdapter({ ...haodfSite, layouts: ['flow-2020', 'nope'] }, [haodfFlow])).toThrow(/lists layout nope, but there is no src\/scrape\/layouts\/haodf\/nope\.json/);
    expect(() => layoutAdapter(haodfSite, [{ ...haodfFlow, turns: [{ select: 'div.f-card' }] }])).toThrow(/layout of haodf flow-2020 is invalid: turns\.0: give exactly one of role or speaker/);
    expect(() => layoutAdapter({ ...haodfSite, host: '(' }, [])).toThrow(/host: not a valid regular expression/);
  });

  it('picks the adapter for a URL by site host, then by page path', () => {
    const name = (u: string) => adapterForUrl(new URL(u))?.name;
    expect(name('https://www.haodf.com/flow/menzhen_pr_1_2.html')).toBe('haodf');
    expect(name('https://www.haodf.com/wenda/abc_g_1.htm')).toBe('haodf');
    expect(name('https://www.chunyuyisheng.com/pc/qa/abc/')).toBe('chunyu');
    expect(name('http://club.xywy.com/question/20160503/1.htm')).toBe('xywy');
    expect(name('http://club.xywy.com/question/1.htm')).toBe('xywy');
    expect(name('https://www.120ask.com/question/1.htm')).toBe('120ask');
    expect(name('http://127.0.0.1:8080/question/1.htm')).toBe('120ask');
    expect(name('http://127.0.0.1:8080/question/20180712/1.htm')).toBe('xywy');
    expect(name('https://example.com/')).toBeUndefined();
  });

  it('benchmarks every adapter and every layout on its fixture pages', () => {
    const rows = benchAdapters(3);
    expect(rows.map((r) => r.adapter)).toEqual(['haodf', 'chunyu', '120ask', 'xywy', 'haodf (real page)']);
    expect(rows.flatMap((r) => r.layouts.map((l) => l.layout))).toEqual(
      expect.arrayContaining(['haodf/zzx-2015', 'haodf/flow-2020', 'haodf/bingcheng-2022', 'chunyu/context-left', 'chunyu/block-right', 'xywy/club-2016', '120ask/ask-2015', '120ask/ask-2017']),
    );
    for (const r of rows) expect(r.pagesPerSec).toBeGreaterThan(0);
    expect(roles(haodfAdapter.parse(page('haodf/menzhen_fx_1001_2001.html'), 'https://www.haodf.com/flow/a.html'))).toEqual(['患者', '医生', '患者', '医生']);
  });
});
