/**
 * The spin lexicon: substitutions that synonym-spinning tools ("伪原创" rewriters) make in Chinese
 * medical text, found by reading the Toyhom file (样例_内科5000-6000.csv, GB18030) against the
 * real dialogue sources (MedDialog, HET-MC, MIE, CMtMedQA, Huatuo): each spun form stands where a
 * real doctor writes the original, often with the medical meaning changed (放柔 for 加重, 不定期复检
 * for 定期复检, 麻醉胰岛素 for 注射胰岛素, 抗衡乙肝 for 对抗乙肝, 通风机 for 低压, 降低免疫力 for
 * 增强免疫力). An entry is a regular expression over normalised text, the original it replaces,
 * and a weight: 1 for forms real text (almost) never uses, 0.5 for words real doctors also write
 * now and then (致使, 减低, 效用), which count only together with other evidence. Words real
 * doctors write often (防止, 表现出, 留意) are not entries: together they rejected fluent real text.
 * Counts per 100k characters (Toyhom / real corpora) when the entry was chosen are in `seen`.
 * Data only: quality/index.ts scores with it.
 */
export interface SpinEntry {
  readonly pattern: string;
  readonly original: string;
  readonly weight: number;
  readonly seen?: string;
}

export const SPIN_LEXICON: readonly SpinEntry[] = [
  { pattern: '放柔', original: '加重', weight: 1, seen: '28.8 / 0' },
  { pattern: '不定期(?:复检|复查|监测|测|去|到|检查|做)', original: '定期…', weight: 1, seen: '37.8 / 0.1; without 不定期的 (不定期的痛 is real): 23.7 / 0' },
  { pattern: '抗衡', original: '对抗 / 抗', weight: 1, seen: '21.1 / 0' },
  { pattern: '再次出现', original: '出现', weight: 0.5, seen: '117.9 / 0.6' },
  { pattern: '仔细检查', original: '检查', weight: 0.5, seen: '112.5 / 0.5' },
  { pattern: '需要有', original: '需要', weight: 0.5, seen: '190.3 / 0.5' },
  { pattern: '进行咨询', original: '咨询', weight: 0.5, seen: '18.4 / 1.1' },
  { pattern: '监测数据', original: '监测', weight: 1, seen: '12.0 / 0' },
  { pattern: '锻练', original: '锻炼', weight: 0.5, seen: '12.5 / 0' },
  { pattern: '知晓', original: '知道', weight: 1, seen: '43.1 / 0' },
  { pattern: '发觉', original: '发现', weight: 0.5, seen: '63.6 / 0.1' },
  { pattern: '引来', original: '引起', weight: 1, seen: '112.7 / 0' },
  { pattern: '致使', original: '导致', weight: 0.5, seen: '94.1 / 0.1' },
  { pattern: '喝啤酒', original: '喝酒', weight: 0.5, seen: '38.7 / 0' },
  { pattern: '隔代遗传', original: '遗传', weight: 0.5, seen: '26.1 / 0' },
  { pattern: '通风机', original: '低压 (舒张压)', weight: 1, seen: '2.8 / 0' },
  { pattern: '备感', original: '感觉', weight: 1, seen: '6.5 / 0.1' },
  { pattern: '打搅', original: '打扰', weight: 1, seen: '0.3 / 0' },
  { pattern: '拥有', original: '有 / 属于', weight: 0.5, seen: '40.8 / 1.0' },
  { pattern: '实施', original: '进行 / 做', weight: 0.5, seen: '101.0 / 0.1' },
  { pattern: '减低', original: '降低', weight: 0.5, seen: '24.9 / 0.1' },
  { pattern: '始终保持', original: '保持', weight: 1, seen: '86.5 / 0' },
  { pattern: '足量', original: '适量', weight: 0.5, seen: '12.0 / 0.1' },
  { pattern: '做为', original: '作为', weight: 0.5, seen: '21.0 / 0.1' },
  { pattern: '严令禁止', original: '禁止', weight: 1, seen: '2.7 / 0' },
  { pattern: '(?<!疾)病发(?![展生作现])', original: '发病', weight: 0.5, seen: '53.0 / 0.6; not in 肝病发展, 疾病发生, 心脏病发作: 48.4 / 0.15' },
  { pattern: '麻醉(?:乙肝)?(?:胰岛素|疫苗|针|一针|药物治疗)', original: '注射…', weight: 1, seen: '42.5 / 2.0 (麻醉 alone)' },
  { pattern: '救治', original: '治疗', weight: 0.5 },
  { pattern: '怀上', original: '怀孕', weight: 0.5 },
  { pattern: '喝药', original: '吃药', weight: 0.5 },
  { pattern: '期望(?:我的|患者|您|你|对)', original: '希望…', weight: 1 },
  { pattern: '互相配合', original: '配合', weight: 1 },
  { pattern: '约莫', original: '左右', weight: 1 },
  { pattern: '监控器', original: '监测', weight: 1 },
  { pattern: '办到', original: '做到', weight: 1 },
  { pattern: '持继', original: '持续', weight: 1 },
  { pattern: '服食', original: '服用', weight: 0.5 },
  { pattern: '协助到', original: '帮助到', weight: 1 },
  { pattern: '觉着', original: '觉得', weight: 0.5 },
  { pattern: '抱括', original: '包括', weight: 1 },
  { pattern: '方才', original: '才', weight: 0.5 },
  { pattern: '看重', original: '重视', weight: 0.5 },
  { pattern: '许多(?:药物|口服|维生素|新鲜)', original: '一些…', weight: 1 },
  { pattern: '缓解病情', original: '加重病情', weight: 0.5 },
  // Added from the record review (test/eval/record-review): forms that Toyhom answers use and the
  // real corpora (almost) never do; seen = per 100k characters, Toyhom / the five real corpora.
  { pattern: '散播', original: '传播', weight: 1, seen: '40.3 / 0' },
  { pattern: '预防工作', original: '预防', weight: 0.5, seen: '26.1 / 0.06' },
  { pattern: '考量', original: '考虑', weight: 1, seen: '21.9 / 0.02' },
  { pattern: '极冷', original: '生冷', weight: 0.5, seen: '13.1 / 0.02' },
  { pattern: '令得', original: '使得', weight: 1, seen: '11.5 / 0' },
  { pattern: '再次发生', original: '发生', weight: 0.5, seen: '34.6 / 0.10' },
  { pattern: '守护', original: '保护', weight: 1, seen: '10.7 / 0' },
  { pattern: '转好', original: '好转', weight: 0.5, seen: '10.1 / 0.02' },
  { pattern: '碰触', original: '接触', weight: 0.5, seen: '16.0 / 0.10' },
  { pattern: '忧心(?!忡忡)', original: '担心', weight: 1, seen: '24.1 / 0.06' },
  { pattern: '歇息', original: '休息', weight: 0.5, seen: '31.0 / 0.02' },
  { pattern: '配置', original: '配合', weight: 0.5, seen: '15.1 / 0.02' },
  { pattern: '重新调整', original: '调整', weight: 0.5, seen: '18.0 / 0.02' },
  { pattern: '您好一下', original: '请问一下', weight: 1, seen: '7.1 / 0' },
  { pattern: '引致', original: '导致', weight: 0.5, seen: '9.6 / 0.04' },
  { pattern: '断然', original: '完全', weight: 1, seen: '4.2 / 0' },
  { pattern: '理解一下', original: '了解一下', weight: 1, seen: '3.3 / 0' },
  { pattern: '足见', original: '可见', weight: 1, seen: '2.0 / 0' },
  { pattern: '恰当', original: '适当', weight: 0.5, seen: '58.6 / 0.19' },
  { pattern: '打击', original: '刺激', weight: 0.5, seen: '14.1 / 0.12' },
  { pattern: '只好', original: '只能', weight: 0.5, seen: '11.6 / 0.12' },
  { pattern: '直面', original: '面对', weight: 1, seen: '38.8 / 0.00' },
  { pattern: '避忌', original: '忌讳 / 拒绝', weight: 1, seen: '12.6 / 0.00' },
  { pattern: '绝不会', original: '不会', weight: 0.5, seen: '36.5 / 0.00' },
  { pattern: '健康检查', original: '体检', weight: 0.5, seen: '26.9 / 0.02' },
  { pattern: '用不着', original: '不用', weight: 0.5, seen: '14.4 / 0.02' },
  { pattern: '能够吃', original: '能吃', weight: 0.5, seen: '13.8 / 0.00' },
  { pattern: '效用', original: '作用', weight: 0.5, seen: '16.3 / 0.04' },
  { pattern: '伤损', original: '损伤', weight: 1, seen: '14.3 / 0.00' },
  { pattern: '拷贝', original: '复制', weight: 0.5, seen: '21.0 / 0.04' },
  { pattern: '分解代谢', original: '新陈代谢', weight: 1, seen: '15.1 / 0.02' },
  { pattern: '我们应当', original: '我们应该', weight: 0.5, seen: '14.6 / 0.00' },
  { pattern: '多种不同', original: '多种', weight: 0.5, seen: '13.0 / 0.02' },
  { pattern: '在乎', original: '想得到', weight: 0.5, seen: '3.2 / 0' },
  // Not here, from the session-16 audit of the rejects (test/eval/audit-s16): ordinary medical
  // Chinese that fired on fluent real text, two such words making a reject on their own —
  // 防止 (seen 102.5 / 3.9), 表现出 (26.3 / 1.5) and 留意 (密切留意) are removed; 预防工作 (做好预防工作),
  // 极冷 (避免极热或极冷的食物) and 重新调整 (a patient's own 要重新调整) are weak (0.5): evidence only
  // together with another form.
];
