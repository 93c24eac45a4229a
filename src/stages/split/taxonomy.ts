/**
 * Department taxonomy: maps a source's department string onto CMtMedQA's (cate1, cate2) pairs.
 * The pairs come from the test set (taxonomy-data.ts); SOURCE_ALIASES adds the department names
 * that the other corpora use (HET-MC, Toyhom, MedDialog hospital departments).
 * A department that matches nothing yields undefined: the caller uses the pipeline's default
 * and the validate stage may infer one from the graph.
 */
import { CMTMEDQA_CATE2_TO_CATE1 } from './taxonomy-data.js';

export interface Cate {
  cate1: string;
  cate2: string;
}

const SOURCE_ALIASES: ReadonlyArray<readonly [string, string, string]> = [
  ['心血管科', '内科', '心血管内科'], ['心内科', '内科', '心血管内科'], ['心血管内科', '内科', '心血管内科'],
  ['消化科', '内科', '消化内科'], ['消化内科', '内科', '消化内科'], ['胃肠科', '内科', '消化内科'],
  ['呼吸科', '内科', '呼吸内科'], ['呼吸内科', '内科', '呼吸内科'], ['呼吸与危重症医学科', '内科', '呼吸内科'],
  ['神经科', '内科', '神经内科'], ['神经内科', '内科', '神经内科'], ['内分泌科', '内科', '内分泌科'],
  ['肾内科', '内科', '肾内科'], ['肾病科', '内科', '肾内科'], ['风湿科', '内科', '风湿免疫科'], ['风湿免疫科', '内科', '风湿免疫科'],
  ['血液科', '内科', '血液科'], ['内科', '内科', '内科'], ['普通内科', '内科', '内科'], ['感染内科', '传染病科', '传染科'],
  ['感染科', '传染病科', '传染科'], ['传染科', '传染病科', '传染科'], ['肝病科', '传染病科', '肝病科'], ['发热门诊', '传染病科', '传染科'],
  ['眼科', '五官科', '眼科'], ['耳鼻喉科', '五官科', '耳鼻喉科'], ['耳鼻咽喉科', '五官科', '耳鼻喉科'], ['口腔科', '五官科', '口腔科'],
  ['儿科', '儿科', '儿科'], ['小儿科', '儿科', '小儿内科'], ['新生儿科', '儿科', '新生儿'],
  ['妇科', '妇产科', '妇科'], ['产科', '妇产科', '产科'], ['妇产科', '妇产科', '妇产科'], ['生殖医学科', '妇产科', '不孕症'],
  ['乳腺外科', '外科', '普外科'], ['普外科', '外科', '普外科'], ['普通外科', '外科', '普外科'], ['骨科', '外科', '骨科'],
  ['泌尿外科', '外科', '泌尿外科'], ['肝胆外科', '外科', '肝胆外科'], ['肛肠科', '外科', '肛肠外科'], ['神经外科', '外科', '神经外科'],
  ['胸外科', '外科', '胸外科'], ['心胸外科', '外科', '胸外科'], ['血管外科', '外科', '血管外科'], ['外科', '外科', '外科其它'],
  ['皮肤科', '皮肤性病科', '皮肤科'], ['皮肤性病科', '皮肤性病科', '皮肤科'], ['性病科', '皮肤性病科', '性病科'],
  ['男科', '男科', '男科'], ['肿瘤科', '肿瘤科', '肿瘤科'], ['肿瘤内科', '肿瘤科', '肿瘤科'], ['放疗科', '肿瘤科', '肿瘤放疗'],
  ['心理科', '心理科', '心理科'], ['精神科', '心理科', '心理科'], ['精神心理科', '心理科', '心理科'], ['心身医学科', '心理科', '心理科'],
  ['中医科', '中医科', '中医科'], ['中医内科', '中医科', '中医内科'], ['针灸科', '中医科', '针灸保健'], ['康复科', '其他', '康复科'],
  ['整形外科', '整形美容', '整形美容'], ['整形美容科', '整形美容', '整形美容'], ['营养科', '家居健康', '生活百科'],
  ['急诊科', '其他', '急诊科'], ['全科', '其他', '全科'], ['全科医学科', '其他', '全科'],
];

const BY_NAME = new Map<string, Cate>();
for (const [cate2, cate1] of CMTMEDQA_CATE2_TO_CATE1) BY_NAME.set(cate2, { cate1, cate2 });
for (const [name, cate1, cate2] of SOURCE_ALIASES) if (!BY_NAME.has(name)) BY_NAME.set(name, { cate1, cate2 });
for (const [, cate1] of CMTMEDQA_CATE2_TO_CATE1) if (!BY_NAME.has(cate1)) BY_NAME.set(cate1, { cate1, cate2: cate1 });
/** Longest names first, so 心血管内科 wins over 内科 when searching inside a longer string. */
const NAMES_BY_LENGTH = [...BY_NAME.keys()].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));

export function cateOf(department: string | undefined): Cate | undefined {
  if (!department) return undefined;
  const d = department.trim();
  const exact = BY_NAME.get(d);
  if (exact) return exact;
  // "浙江省中山医院 中医科", "儿科-小儿内科": find the longest known department inside.
  for (const name of NAMES_BY_LENGTH) if (name.length >= 2 && d.includes(name)) return BY_NAME.get(name);
  return undefined;
}

export function knownCate2(): string[] {
  return [...BY_NAME.keys()];
}
