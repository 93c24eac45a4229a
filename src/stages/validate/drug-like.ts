/**
 * Drug-like tokens: a Chinese stem followed by a dosage form (…片, …胶囊, …颗粒, …注射液,
 * …口服液, …软膏, …滴眼液, …喷雾剂 …). Finding where the stem starts in unsegmented text is
 * heuristic: walk back from the form over name characters, stop at punctuation, digits, and
 * the verbs/particles/measure words that usually precede a drug name (吃, 用, 服, 的, 和, 粒 …).
 * Generic stems ('消炎片', '鼻腔喷雾剂', '咽喉含片') are not drug names and are skipped, and so is
 * a stem the caller knows as another kind of entity ('骨折片': a fracture fragment).
 * '片' after 拍/照/切/镜/线/光 … is a picture or a slice ('X线片', '切片'), '片刻' is time, and
 * '颗粒' after 小/色/物/常 … is a particle ('色素颗粒', '食物颗粒').
 * Single-character forms other than 片 (丸, 散, 栓, 酊) are left out: '睾丸', '扩散', '血栓'.
 */

export interface DrugLikeToken {
  token: string;
  start: number;
  end: number;
}

const FORMS = [
  '缓释胶囊', '肠溶胶囊', '软胶囊', '胶囊', '胶丸',
  '缓释片', '控释片', '肠溶片', '分散片', '泡腾片', '咀嚼片', '含片', '片',
  '颗粒', '冲剂', '注射液', '口服液', '口服溶液', '软膏', '乳膏', '眼膏', '凝胶',
  '滴眼液', '滴耳液', '滴鼻液', '喷雾剂', '气雾剂', '糖浆', '混悬液', '贴剂', '栓剂', '搽剂', '洗剂', '合剂',
];
const FORM_RE = new RegExp(`(${[...FORMS].sort((a, b) => b.length - a.length).join('|')})`, 'g');

/** Characters that end a stem when walking back from the form. */
const STOP = new Set(
  '的吃用服喝开点些和或及与跟加配再是了在给如以每日次个天等请可先后还也就都要需把被让对从种类型盒瓶支袋粒片克毫升' +
    '两一二三四五六七八九十几半多少这那该此其您你我他她它们吗呢吧啊哦嗯用药试换停选买拿带抹涂擦喷滴贴含冲泡打挂输注射' +
    '问时到将括持提供进择当做拍照切镜线光图影刀于而具另外想道间有查',
);
const NAME_CHAR = /[\u4e00-\u9fffA-Za-z0-9\-]/;
const MAX_STEM = 12;

/** Stems that name a kind of medicine, not a product. */
const GENERIC = new Set([
  '药', '中药', '西药', '中成药', '消炎', '消炎药', '止痛', '止疼', '退烧', '退热', '止咳', '感冒', '维生素', '钙', '口服',
  '外用', '激素', '抗生素', '抗病毒', '抗过敏', '安眠', '避孕', '降压', '降糖', '胃药', '眼药', '含服', '止泻', '止痒',
  '鱼肝油', '益生菌', '营养', '保健', '药物', '同类', '类似', '常用', '普通', '其他', '任何', '什么', '哪种', '某些',
  '鼻腔', '鼻用', '喉咙', '咽喉', '口腔', '皮肤', '眼部', '眼用', '局部', '儿童', '成人', '中药材',
]);
/** '颗粒' after these is a particle, not granules. */
const KELI_NOT_DRUG = new Set('小大色物常素状细粗形粉');
/** Text right after '片' that makes it a word of its own (片刻, 片面, 片段). */
const PIAN_WORD = /^[刻面段]/;

export function findDrugLikeTokens(text: string, isOtherEntity: (stem: string) => boolean = () => false): DrugLikeToken[] {
  const out: DrugLikeToken[] = [];
  FORM_RE.lastIndex = 0;
  let lastEnd = 0;
  for (let m = FORM_RE.exec(text); m; m = FORM_RE.exec(text)) {
    const formStart = m.index;
    const end = formStart + m[0].length;
    let s = formStart;
    while (s > lastEnd && formStart - s < MAX_STEM && NAME_CHAR.test(text[s - 1]) && !STOP.has(text[s - 1])) s--;
    // Leading digits/Latin belong to a dose ('2片'), not to the name.
    while (s < formStart && /[0-9A-Za-z\-]/.test(text[s])) s++;
    const stem = text.slice(s, formStart);
    const cjk = stem.match(/[\u4e00-\u9fff]/g)?.length ?? 0;
    const form = m[0];
    if (form === '片' && PIAN_WORD.test(text.slice(end))) continue;
    if (form === '颗粒' && KELI_NOT_DRUG.has(stem[stem.length - 1])) continue;
    if (cjk >= 2 && !GENERIC.has(stem) && !/药$/.test(stem) && !isOtherEntity(stem)) {
      out.push({ token: text.slice(s, end), start: s, end });
      lastEnd = end;
    }
  }
  return out;
}
