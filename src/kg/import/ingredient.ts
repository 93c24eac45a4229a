/**
 * Drug names → their generic ingredient, so a product and its ingredient are one Drug entity
 * (阿莫西林胶囊, 阿莫西林 → 阿莫西林) and checks run on the ingredient. Pure string rules, applied
 * in order until nothing changes:
 *  1. brackets: '(奥松)肚痛泻丸' → '肚痛泻丸', '阿莫西林胶囊(0.25g)' → '阿莫西林胶囊';
 *  2. brand before a space: '慢严舒柠 清喉利咽颗粒' → '清喉利咽颗粒';
 *  3. '注射用' prefix: '注射用头孢曲松钠' → '头孢曲松钠';
 *  4. dosage form suffix (longest first): 缓释胶囊, 胶囊, 缓释片, 分散片, 片, 颗粒, 注射液, 口服液, 软膏 …;
 *  5. salt prefix: 盐酸, 硫酸, 磷酸, 马来酸, 枸橼酸, 醋酸, 甲磺酸, 苯磺酸, 富马酸 … ('盐酸左氧氟沙星' →
 *     '左氧氟沙星'), only when ≥ 3 characters remain (硫酸镁, 碳酸钙, 硫酸亚铁 are the ingredient).
 * Single-character forms (丸, 散, 膏) are left on: '逍遥丸' without it is an everyday word, '枇杷膏' a fruit.
 * A rule is not applied when it would leave fewer than 2 characters or no Chinese
 * ('钙片' stays '钙片'); generic stems that name a kind of medicine (消炎片, 止咳糖浆) stay as they are.
 */

const FORMS = [
  '缓释胶囊', '肠溶胶囊', '软胶囊', '硬胶囊', '胶囊剂', '胶囊', '胶丸',
  '缓释片', '控释片', '肠溶片', '分散片', '泡腾片', '咀嚼片', '口崩片', '薄膜衣片', '糖衣片', '含片', '片剂', '片',
  '颗粒剂', '颗粒', '冲剂', '干混悬剂', '混悬液', '混悬剂', '注射液', '注射剂', '粉针剂', '口服液', '口服溶液', '溶液',
  '软膏', '乳膏', '眼膏', '凝胶', '滴眼液', '滴耳液', '滴鼻液', '喷雾剂', '气雾剂', '鼻喷剂', '糖浆', '贴剂', '贴膏', '栓剂', '搽剂', '洗剂', '合剂',
  '滴丸', '水丸', '蜜丸', '大蜜丸',
].sort((a, b) => b.length - a.length);

const SALTS = ['盐酸', '硫酸', '磷酸', '马来酸', '枸橼酸', '醋酸', '酒石酸', '甲磺酸', '苯磺酸', '富马酸', '琥珀酸', '氢溴酸', '门冬氨酸', '乳酸', '甲硫酸'];

/** Stems that name a kind of medicine, not an ingredient. */
const GENERIC = /^(消炎|止咳|止痛|退烧|退热|感冒|降压|降糖|止泻|止痒|维生素|钙|中药|西药|口服|外用|儿童|小儿|复方)$/;

const CJK = /[\u4e00-\u9fff]/;

function usable(s: string): boolean {
  return s.length >= 2 && CJK.test(s) && !GENERIC.test(s);
}

export function ingredientOf(name: string): string {
  let s = name.trim();
  for (let round = 0; round < 4; round++) {
    const before = s;
    const noBrackets = s.replace(/[(（[【][^()（）[\]【】]*[)）\]】]/g, '').trim();
    if (usable(noBrackets)) s = noBrackets;
    const sp = s.lastIndexOf(' ');
    if (sp > 0 && usable(s.slice(sp + 1))) s = s.slice(sp + 1);
    if (s.startsWith('注射用') && usable(s.slice(3))) s = s.slice(3);
    for (const f of FORMS) {
      if (s.endsWith(f)) {
        const stem = s.slice(0, -f.length);
        if (usable(stem)) s = stem;
        break;
      }
    }
    for (const salt of SALTS) {
      if (s.startsWith(salt) && s.length - salt.length >= 3 && usable(s.slice(salt.length))) {
        s = s.slice(salt.length);
        break;
      }
    }
    if (s === before) break;
  }
  return s;
}
