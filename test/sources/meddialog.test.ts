import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { importMedDialog } from '../../src/sources/meddialog.js';
import { rawDialogueId } from '../../src/sources/id.js';
import { sharedData } from '../support/services.js';
import { fixture, importFile, importText, tally, turnsOf } from './helpers.js';

const file = fixture('meddialog', 'consultations.txt');

describe('MedDialog importer on the fixture', () => {
  it('reads a normal consultation with url, department, disease, description and multi-line utterances', async () => {
    const { items } = await importFile(importMedDialog, file);
    const first = items[0];
    expect(first.kind).toBe('dialogue');
    if (first.kind !== 'dialogue') return;
    expect(first.dialogue).toEqual({
      id: 'aadc7dbaa076a27bc09e1b32',
      origin: { format: 'meddialog', file, sourceId: '101', position: 1, url: 'https://www.haodf.com/doctorteam/flow_team_9000000101_1.htm' },
      turns: [
        { speaker: '医生', text: '您好，最近两周有没有去过疫情高发地区，或者接触过发热的人？' },
        { speaker: '病人', text: '没有，一直在家里，家里人也都没有发烧。' },
        { speaker: '医生', text: '咳嗽是白天重还是晚上重？有没有气短？' },
        { speaker: '病人', text: '晚上躺下咳得多一些。\n走快了会有一点气短，休息一下就好。' },
        { speaker: '医生', text: '建议先到发热门诊查血常规和胸部CT，排除肺炎后再对症止咳。' },
        { speaker: '病人', text: '好的，谢谢医生。' },
      ],
      department: '呼吸内科',
      disease: '咳嗽伴低热',
      description:
        '疾病： 咳嗽伴低热\n病情描述： 五天前受凉后开始咳嗽，痰少色白，傍晚体温37.6度左右，没有胸痛。\n希望获得的帮助： 需要去医院拍片吗？\n' +
        '患病多久： 一周内\n已就诊医院及科室： 示例县人民医院 内科\n用药情况： 自行服用感冒清热颗粒\n过敏史： 无（2020-02-11填写）\n既往病史： 无（2020-02-11填写）',
    });
    expect(first.dialogue.id).toBe(
      rawDialogueId({ format: 'meddialog', file, sourceId: '101', position: first.dialogue.origin.position, turns: first.dialogue.turns }),
    );
  });

  it('yields dialogues and rejects in file order with 1-based positions', async () => {
    const { items } = await importFile(importMedDialog, file);
    expect(items.map((i) => (i.kind === 'dialogue' ? `D ${i.dialogue.origin.sourceId}/${i.dialogue.origin.visit ?? '-'}@${i.dialogue.origin.position}` : `R ${i.reject.reason} ${i.reject.origin.sourceId}@${i.reject.origin.position}`))).toEqual([
      'D 101/-@1',
      'R import.no_dialogue 102@2',
      'D 103/0@3',
      'D 103/1@3',
      'D 104/-@4',
      'D 105/-@5',
      'D 106/-@6',
    ]);
  });

  it('rejects a consultation without a Dialogue section as import.no_dialogue, keeping its text as evidence', async () => {
    const { rejects } = await importFile(importMedDialog, file);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({
      stage: 'import',
      reason: 'import.no_dialogue',
      origin: { format: 'meddialog', file, sourceId: '102', position: 2, url: 'https://www.haodf.com/doctorteam/flow_team_9000000102_1.htm' },
    });
    expect(rejects[0].input).toContain('病情描述： 嗓子疼两天，吞咽时明显，体温正常。');
  });

  it("joins a Dialogue section holding only the patient's turns to the next section, which answers it", async () => {
    const text = [
      'id=7', 'https://example.org/7.htm', '', 'Description', '疾病： 咳嗽', '病情描述： 咳嗽一个月，白天轻晚上重。', '',
      'Dialogue', '病人：', '咳嗽一个月了，要不要再拍片？', '',
      'Dialogue', '患者家属：', '今天又咳了一上午，还需要去医院吗？', '',
      'Dialogue', '医生：', '干咳还是有痰？', '病人：', '干咳为主', '医生：', '先按咳嗽变异性哮喘处理，不用再拍片', '',
      'Dialogue', '病人：', '好的，那我过两周再来问', '',
      '',
    ].join('\n');
    const { dialogues, rejects } = await importText(importMedDialog, text, 'join.txt');
    expect(rejects).toEqual([]);
    // the two waiting sections lead the answering one; the visit keeps its first section's number (0)
    expect(dialogues.map((d) => d.origin.visit)).toEqual([0, 3]);
    expect(turnsOf(dialogues[0])).toEqual([
      ['病人', '咳嗽一个月了，要不要再拍片？'],
      ['患者家属', '今天又咳了一上午，还需要去医院吗？'],
      ['医生', '干咳还是有痰？'],
      ['病人', '干咳为主'],
      ['医生', '先按咳嗽变异性哮喘处理，不用再拍片'],
    ]);
    expect(dialogues[0]).toMatchObject({ disease: '咳嗽' });
    // a last section of the patient's alone is left as it is: nothing answers it
    expect(turnsOf(dialogues[1])).toEqual([['病人', '好的，那我过两周再来问']]);
  });

  it('makes a single-turn dialogue of a consultation without Dialogue whose description ends in 初步诊断 and advice; a diagnosis alone stays import.no_dialogue', async () => {
    const block = (id: number, note: string) =>
      `id=${id}\nhttps://www.haodf.com/doctorteam/flow_team_${id}_1.htm\n\nDescription\n疾病： 咳嗽\n病情描述： 咳嗽一周，有白痰，不发烧。\n希望获得的帮助： 要吃什么药\n过敏史： 无\n${note}\n\n`;
    const text =
      block(7001, '主诉：\n咳嗽一周\n现病史：\n白痰，无发热。\n初步诊断：\n急性支气管炎\n多喝水，止咳糖浆每天三次，一周不好转复诊。') +
      block(7002, '主诉： 咳嗽一周\n现病史： 白痰\n初步诊断： 咳嗽\n医生使用隐私电话功能与患者通话： ');
    const { dialogues, rejects } = await importText(importMedDialog, text, 'dx.txt');
    expect(dialogues.map((d) => [d.origin.sourceId, d.singleTurn, d.turns])).toEqual([
      [
        '7001',
        true,
        [
          { speaker: '病人', text: '疾病： 咳嗽\n病情描述： 咳嗽一周，有白痰，不发烧。\n希望获得的帮助： 要吃什么药\n过敏史： 无' },
          { speaker: '医生', text: '初步诊断：急性支气管炎\n多喝水，止咳糖浆每天三次，一周不好转复诊。' },
        ],
      ],
    ]);
    expect(rejects.map((r) => [r.reason, r.origin.sourceId])).toEqual([['import.no_dialogue', '7002']]);
  });

  it('splits a follow-up visit into its own dialogue with the description written before it', async () => {
    const { dialogues } = await importFile(importMedDialog, file);
    const visits = dialogues.filter((d) => d.origin.sourceId === '103');
    expect(visits.map((d) => d.origin.visit)).toEqual([0, 1]);
    expect(visits.map((d) => d.id)).toEqual(['04b62d41f7b70b230065aadb', '1f1d30f5c01c479e04c17588']);
    expect(turnsOf(visits[0])).toEqual([
      ['病人', '医生您好，孩子四岁，退烧药吃了两个小时了体温还在38.5度。'],
      ['医生', '可以温水擦浴，多喝水，如果精神差或者抽搐要马上去医院。'],
      ['病人', '好的，我们先观察。'],
    ]);
    expect(visits[0]).toMatchObject({ disease: '发热', description: '疾病： 发热\n病情描述： 孩子昨晚开始发烧，最高38.9度，精神还可以。\n希望获得的帮助： 是否需要马上就医' });
    // the glued "Diagnosis and suggestions注意休息…" line ends the second visit and is not a turn
    expect(turnsOf(visits[1])).toEqual([
      ['病人', '医生，孩子烧退了，现在咳嗽有黄痰，需要吃消炎药吗？'],
      ['医生', '先查一个血常规看看有没有细菌感染，不要自行使用抗生素。'],
    ]);
    expect(visits[1]).toMatchObject({ disease: '发热复诊', description: '疾病： 发热复诊\n病情描述： 退烧三天后又出现咳嗽，有黄痰。' });
  });

  it('accepts half-width colons, the 患者 label and text on the same line as the label', async () => {
    const { dialogues } = await importFile(importMedDialog, file);
    const d = dialogues.find((x) => x.origin.sourceId === '104')!;
    expect(d.id).toBe('e4510c13f45739cf4dbbbd1c');
    expect(turnsOf(d)).toEqual([
      ['患者', '医生，我同事的家属被确诊了，我和同事上周一起吃过饭。'],
      ['医生', '你目前有没有发热、咳嗽？'],
      ['患者', '没有发热，就是有点累。'],
      ['医生', '建议居家隔离观察十四天，每天早晚测体温，有发热及时去发热门诊。'],
    ]);
    expect(d.disease).toBeUndefined(); // 疾病 left empty (未填写)
  });

  it('keeps a blank line inside an utterance and reads 疾病/症状 as the disease', async () => {
    const { dialogues } = await importFile(importMedDialog, file);
    const d = dialogues.find((x) => x.origin.sourceId === '105')!;
    expect(d.turns[1]).toEqual({ speaker: '病人', text: '有高血压五年了，一直吃降压药。\n\n血压控制在130/85左右。' });
    expect(d.disease).toBe('胸闷');
  });

  it('keeps a Dialogue section holding only an appointment note as a dialogue without turns, the note in its description', async () => {
    const { dialogues } = await importFile(importMedDialog, file);
    const d = dialogues.find((x) => x.origin.sourceId === '106')!;
    expect(d.turns).toEqual([]);
    expect(d.description).toBe('疾病： 乏力\n预约医生： 张医生');
  });

  it('gives the same ids for the same relative path (however the path is spelled), different ids for a same-named file in another folder', async () => {
    const a = await importFile(importMedDialog, file);
    const again = await importText(importMedDialog, readFileSync(file), `./${file.split(path.sep).join('/')}`);
    expect(again.dialogues.map((d) => d.id)).toEqual(a.dialogues.map((d) => d.id));
    const absolute = await importText(importMedDialog, readFileSync(file), path.resolve(file));
    expect(absolute.dialogues.map((d) => d.id)).toEqual(a.dialogues.map((d) => d.id));
    const other = await importText(importMedDialog, readFileSync(file), 'elsewhere/consultations.txt');
    const ids = new Set(a.dialogues.map((d) => d.id));
    expect(other.dialogues).toHaveLength(a.dialogues.length);
    for (const d of other.dialogues) expect(ids.has(d.id)).toBe(false);
  });
});

describe('MedDialog importer on the real COVID-Dialogue file', () => {
  const real = sharedData('dialogues', 'meddialog_covid_zh', 'COVID-Dialogue-Dataset-Chinese.txt');

  it('reads all 1,393 ids: 74 without a Dialogue section (8 of them a single turn from 初步诊断 and advice), one dialogue per Dialogue section for the others', async () => {
    const { dialogues, rejects } = await importFile(importMedDialog, real);
    const sections = readFileSync(real, 'utf8').split('\n').filter((l) => l === 'Dialogue').length;
    expect(sections).toBe(1668);
    // one dialogue per Dialogue section, but the 72 sections holding only the patient's turns
    // (a message waiting for the doctor) are joined to the section that answers them
    expect(dialogues.filter((d) => !d.singleTurn)).toHaveLength(sections - 72);
    expect(dialogues.filter((d) => d.singleTurn).map((d) => d.origin.sourceId)).toEqual(['604', '635', '871', '872', '900', '1075', '1088', '1099']);
    expect(tally(rejects.map((r) => r.reason))).toEqual(new Map([['import.no_dialogue', 66]]));
    const ids = new Set([...dialogues.map((d) => d.origin.sourceId), ...rejects.map((r) => r.origin.sourceId)]);
    expect(ids.size).toBe(1393);
    expect(new Set(rejects.map((r) => r.origin.sourceId)).size).toBe(66);
  });

  it('numbers the visits of ids with several Dialogue sections by section, every section accounted for', async () => {
    const { dialogues } = await importFile(importMedDialog, real);
    const bySource = new Map<string, number[]>();
    for (const d of dialogues) bySource.set(d.origin.sourceId, [...(bySource.get(d.origin.sourceId) ?? []), d.origin.visit ?? -1]);
    const numbered = [...bySource.values()].filter((v) => v[0] !== -1);
    expect(numbered).toHaveLength(187); // the ids with several sections
    expect(numbered.filter((v) => v.length > 1)).toHaveLength(147); // several visits after joining
    // increasing first-section numbers from 0: no section is lost at the front
    for (const v of numbered) {
      expect(v).toEqual([...new Set(v)].sort((a, b) => a - b));
      expect(v[0]).toBe(0);
    }
    const single = [...bySource.values()].filter((v) => v[0] === -1);
    expect(single.every((v) => v.length === 1)).toBe(true);
    expect(new Set(dialogues.map((d) => d.id)).size).toBe(dialogues.length);
  });

  it('reads 17,879 utterances (病人 9,359 / 医生 8,520) and keeps URLs and ordinal positions', async () => {
    const { dialogues } = await importFile(importMedDialog, real);
    const speakers = tally(dialogues.filter((d) => !d.singleTurn).flatMap((d) => d.turns.map((t) => t.speaker)));
    // Five 医生 turns hold the patient's next intake form (疾病：… 病情描述：…): four end where the form
    // starts and the form is a 病人 turn after them, one is only the form and is a 病人 turn (before:
    // 医生 8,521 / 病人 9,354, the forms read as doctors' answers).
    expect(speakers).toEqual(new Map([['医生', 8520], ['病人', 9359]]));
    expect(dialogues.every((d) => d.origin.url?.startsWith('https://www.haodf.com/'))).toBe(true);
    expect(dialogues[0].origin).toMatchObject({ sourceId: '1', position: 1 });
    // four Dialogue sections carry only an appointment note and no turns
    expect(dialogues.filter((d) => d.turns.length === 0)).toHaveLength(4);
    expect(dialogues.some((d) => d.turns.some((t) => t.text.includes('Diagnosis and suggestions')))).toBe(false);
  });
});
