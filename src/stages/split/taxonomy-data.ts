/**
 * The one department taxonomy: every (cate1, cate2) pair a record may carry, each cate2 with the
 * names other sources use for it. Derived from the 1,000 multi-turn records of CMtMedQA_test.json
 * (cate2 with its majority cate1), merged where the test set spells one department two ways
 * (传染病科/传染科, 皮肤科/皮肤性病科 as cate2, 风湿免疫/风湿免疫科, 男性科/男科; cate1 皮肤科 is
 * 皮肤性病科), and extended with the department names of the other corpora (HET-MC, Toyhom,
 * MedDialog hospital departments) and of the xywy graph (belongs_to_department: 心内科, 骨外科,
 * 肝病, 中医综合, 儿科综合 …) as aliases. Each cate1 has one generic entry (cate2 = its general
 * department) used when only the top-level department is known.
 * Kept as data: taxonomy.ts builds the lookups; nothing else may produce a cate pair.
 */
export interface TaxonomyEntry {
  readonly cate1: string;
  readonly cate2: string;
  readonly aliases?: readonly string[];
}

/** The unclassified pair (split.defaultCate1/defaultCate2 default to it): no source department and none inferred. */
export const UNCLASSIFIED = { cate1: '未分类', cate2: '未分类' } as const;

/** Per cate1, the cate2 used when only the cate1 is known (e.g. a graph department ['内科']). */
export const GENERIC_CATE2: ReadonlyArray<readonly [string, string]> = [
  ['内科', '内科'], ['外科', '外科其它'], ['妇产科', '妇产科'], ['儿科', '儿科'], ['五官科', '五官科'],
  ['传染病科', '传染科'], ['皮肤性病科', '皮肤性病科'], ['肿瘤科', '肿瘤科'], ['男科', '男科'], ['中医科', '中医科'],
  ['心理科', '心理科'], ['整形美容', '整形美容'], ['家居健康', '家居健康'], ['其他', '其他'],
];

/** cate1 spellings of other sources (graph, test set) onto the canonical cate1. */
export const CATE1_ALIASES: ReadonlyArray<readonly [string, string]> = [
  ['皮肤科', '皮肤性病科'], ['传染科', '传染病科'], ['感染科', '传染病科'], ['精神科', '心理科'], ['其他科室', '其他'],
  ['生殖健康', '妇产科'], ['急诊科', '其他'], ['肝病', '传染病科'], ['营养科', '家居健康'],
];

export const TAXONOMY: readonly TaxonomyEntry[] = [
  // 内科
  { cate1: '内科', cate2: '内科', aliases: ['普通内科', '大内科', '综合内科'] },
  { cate1: '内科', cate2: '心血管内科', aliases: ['心内科', '心血管科', '心脏内科', '心脏科', '心血管'] },
  { cate1: '内科', cate2: '消化内科', aliases: ['消化科', '胃肠科', '胃肠内科', '消化'] },
  { cate1: '内科', cate2: '呼吸内科', aliases: ['呼吸科', '呼吸与危重症医学科', '呼吸'] },
  { cate1: '内科', cate2: '神经内科', aliases: ['神经科'] },
  { cate1: '内科', cate2: '内分泌科', aliases: ['内分泌', '内分泌代谢科'] },
  { cate1: '内科', cate2: '肾内科', aliases: ['肾病科', '肾脏内科', '泌尿内科'] },
  { cate1: '内科', cate2: '风湿免疫科', aliases: ['风湿免疫', '风湿科', '免疫科'] },
  { cate1: '内科', cate2: '血液科', aliases: ['血液内科'] },
  { cate1: '内科', cate2: '遗传病科' },
  // 外科
  { cate1: '外科', cate2: '外科其它', aliases: ['外科', '普通外科其它'] },
  { cate1: '外科', cate2: '普外科', aliases: ['普通外科', '乳腺外科', '甲状腺外科'] },
  { cate1: '外科', cate2: '骨科', aliases: ['骨外科', '脊柱外科', '关节外科', '创伤骨科', '骨伤科'] },
  { cate1: '外科', cate2: '泌尿外科', aliases: ['泌尿科'] },
  { cate1: '外科', cate2: '肝胆外科' },
  { cate1: '外科', cate2: '肛肠外科', aliases: ['肛肠科'] },
  { cate1: '外科', cate2: '神经外科', aliases: ['脑外科'] },
  { cate1: '外科', cate2: '胸外科', aliases: ['心胸外科', '胸心外科'] },
  { cate1: '外科', cate2: '血管外科' },
  { cate1: '外科', cate2: '烧伤科', aliases: ['烧伤整形科'] },
  { cate1: '外科', cate2: '前列腺' },
  { cate1: '外科', cate2: '性功能障碍' },
  { cate1: '外科', cate2: '生殖感染' },
  { cate1: '外科', cate2: '腰肌劳损' },
  { cate1: '外科', cate2: '颈腰椎病' },
  // 妇产科
  { cate1: '妇产科', cate2: '妇产科' },
  { cate1: '妇产科', cate2: '妇科' },
  { cate1: '妇产科', cate2: '妇科其它' },
  { cate1: '妇产科', cate2: '妇科综合' },
  { cate1: '妇产科', cate2: '产科' },
  { cate1: '妇产科', cate2: '产科其它' },
  { cate1: '妇产科', cate2: '产科综合' },
  { cate1: '妇产科', cate2: '产后妇科' },
  { cate1: '妇产科', cate2: '不孕症', aliases: ['不孕不育', '生殖医学科', '生殖中心'] },
  { cate1: '妇产科', cate2: '人流' },
  { cate1: '妇产科', cate2: '宫外孕' },
  { cate1: '妇产科', cate2: '月经不调' },
  { cate1: '妇产科', cate2: '乳腺增生' },
  // 儿科
  { cate1: '儿科', cate2: '儿科', aliases: ['小儿科'] },
  { cate1: '儿科', cate2: '小儿内科' },
  { cate1: '儿科', cate2: '小儿外科' },
  { cate1: '儿科', cate2: '小儿综合', aliases: ['儿科综合'] },
  { cate1: '儿科', cate2: '新生儿', aliases: ['新生儿科'] },
  { cate1: '儿科', cate2: '新生儿疾病' },
  { cate1: '儿科', cate2: '儿童哮喘' },
  // 五官科
  { cate1: '五官科', cate2: '五官科' },
  { cate1: '五官科', cate2: '眼科' },
  { cate1: '五官科', cate2: '耳鼻喉科', aliases: ['耳鼻咽喉科', '耳鼻咽喉头颈外科'] },
  { cate1: '五官科', cate2: '口腔科', aliases: ['口腔内科', '口腔外科', '牙科', '口腔颌面科', '口腔颌面外科'] },
  { cate1: '五官科', cate2: '口腔科其它' },
  { cate1: '五官科', cate2: '近视' },
  // 传染病科
  { cate1: '传染病科', cate2: '传染科', aliases: ['传染病科', '感染科', '感染内科', '感染性疾病科', '发热门诊', '传染病'] },
  { cate1: '传染病科', cate2: '传染科其它' },
  { cate1: '传染病科', cate2: '肝病科', aliases: ['肝病', '肝科', '肝病内科'] },
  { cate1: '传染病科', cate2: '肝病科其它' },
  { cate1: '传染病科', cate2: '乙肝' },
  { cate1: '传染病科', cate2: '艾滋病' },
  { cate1: '传染病科', cate2: '狂犬病' },
  { cate1: '传染病科', cate2: '寄生虫' },
  { cate1: '传染病科', cate2: '阴虱病' },
  { cate1: '传染病科', cate2: '风疹' },
  // 皮肤性病科
  { cate1: '皮肤性病科', cate2: '皮肤性病科', aliases: ['皮肤科', '皮肤病科'] },
  { cate1: '皮肤性病科', cate2: '性病科' },
  { cate1: '皮肤性病科', cate2: '皮肤综合' },
  { cate1: '皮肤性病科', cate2: '皮肤过敏' },
  { cate1: '皮肤性病科', cate2: '过敏' },
  { cate1: '皮肤性病科', cate2: '白癜风' },
  { cate1: '皮肤性病科', cate2: '男性脱发' },
  { cate1: '皮肤性病科', cate2: '生殖器疱疹' },
  // 肿瘤科
  { cate1: '肿瘤科', cate2: '肿瘤科', aliases: ['肿瘤内科', '肿瘤外科'] },
  { cate1: '肿瘤科', cate2: '肿瘤科其它' },
  { cate1: '肿瘤科', cate2: '肿瘤化疗' },
  { cate1: '肿瘤科', cate2: '肿瘤放疗', aliases: ['放疗科'] },
  { cate1: '肿瘤科', cate2: '综合治疗' },
  { cate1: '肿瘤科', cate2: '肝癌' },
  { cate1: '肿瘤科', cate2: '肺癌' },
  { cate1: '肿瘤科', cate2: '胃癌' },
  { cate1: '肿瘤科', cate2: '直肠癌' },
  // 男科
  { cate1: '男科', cate2: '男科', aliases: ['男性科', '男性泌尿科'] },
  // 中医科
  { cate1: '中医科', cate2: '中医科', aliases: ['中医综合', '中医'] },
  { cate1: '中医科', cate2: '中医内科' },
  { cate1: '中医科', cate2: '中医外科' },
  { cate1: '中医科', cate2: '中医妇科' },
  { cate1: '中医科', cate2: '中医儿科' },
  { cate1: '中医科', cate2: '中医保健' },
  { cate1: '中医科', cate2: '针灸保健', aliases: ['针灸科', '针灸推拿科'] },
  // 心理科
  { cate1: '心理科', cate2: '心理科', aliases: ['精神科', '精神心理科', '心身医学科', '心理咨询科'] },
  // 整形美容
  { cate1: '整形美容', cate2: '整形美容', aliases: ['整形外科', '整形美容科', '医疗美容科'] },
  { cate1: '整形美容', cate2: '皮肤' },
  { cate1: '整形美容', cate2: '皮肤其它' },
  { cate1: '整形美容', cate2: '皮肤移植术' },
  { cate1: '整形美容', cate2: '激光永久脱毛术' },
  { cate1: '整形美容', cate2: '痣切除术' },
  { cate1: '整形美容', cate2: '雀斑' },
  { cate1: '整形美容', cate2: '眼部' },
  { cate1: '整形美容', cate2: '眉部' },
  { cate1: '整形美容', cate2: '鼻部' },
  { cate1: '整形美容', cate2: '胸部' },
  { cate1: '整形美容', cate2: '四肢' },
  { cate1: '整形美容', cate2: '女性生殖' },
  { cate1: '整形美容', cate2: '男性生殖' },
  // 家居健康
  { cate1: '家居健康', cate2: '家居健康' },
  { cate1: '家居健康', cate2: '生活百科', aliases: ['营养科', '减肥'] },
  // 其他
  { cate1: '其他', cate2: '其他', aliases: ['其他综合', '其他科室'] },
  { cate1: '其他', cate2: '急诊科' },
  { cate1: '其他', cate2: '全科', aliases: ['全科医学科'] },
  { cate1: '其他', cate2: '康复科', aliases: ['康复医学科'] },
  { cate1: '其他', cate2: '支气管炎' },
  { cate1: '其他', cate2: '重症肌无力' },
];
