/**
 * Advertising: records that market a hospital, clinic, product or branded therapy, or solicit the
 * reader to make contact off the platform. Web Q&A dumps (Huatuo-26M's answers were often written
 * by hospital marketers) carry them: 茜芷宫瘤贴…无需手术，无需吃药，轻轻一贴治愈; 建议到我院的不育诊疗中心就诊，
 * 配合相关的先进仪器设备检查; 拨打咨询电话：<PHONE>; 加我<QQ>了解; 医疗费用大包干……包怀孕.
 *
 * A score over cue families, each counted once per record (one family's phrase repeated is still
 * one), plus up to three distinct marketing claims (见效快, 疗程短, 疗效确切, 先进的仪器 …): a record
 * is advertising at `quality.advertising.threshold` (default 3) or above. Strong families (contact
 * with a phone or QQ placeholder, guarantees such as 包怀孕 / 全额退款 / 轻轻一贴) reach it alone; weak
 * ones (come to our hospital, online consultation, no recurrence, disparaging standard care, one
 * claim) need company, because a real consultation doctor writes 一周后到我院复查 and 建议网上咨询 too.
 *
 * Measured on test/eval/advertising (900 hand-labelled records of the shared corpora, README there):
 * precise and far from complete — most ads name a product or hospital in words no list holds
 * (护命素, 苗岭胰腺汤, 铭医堂医院). Pure; memoised per text by the caller.
 */

/**
 * A negation or a warning a few characters before a match (没有…能保证治愈, 不能保证根治, 不要相信…包生男,
 * 谨防…无需手术的广告): a doctor who warns against a promise is not making it. Tested on the ten
 * characters before the match only (a lookbehind in the patterns ran at every position: 1 CPU-s
 * at 8x in the bench).
 */
const NEGATION = /(?:不|没|无|别|勿|未|谨防|警惕|当心|小心|相信|所谓|号称|宣称|声称)[^。！？!?\n，,]{0,8}$/;
const negated = (text: string, at: number): boolean => NEGATION.test(text.slice(Math.max(0, at - 10), at));

const ideograph = (c: number): boolean => c >= 0x4e00 && c <= 0x9fff;
/** A match of own_institution stands: 我院/本院, or 医院/中心 after two ideographs. */
function ownInstitutionAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  if (c !== 0x533b && c !== 0x4e2d) return true; // 我院…, 本院… (医 U+533B, 中 U+4E2D start the other alternative)
  return at >= 2 && ideograph(text.charCodeAt(at - 1)) && ideograph(text.charCodeAt(at - 2));
}

interface Family {
  name: string;
  weight: number;
  re: RegExp;
  /** Whether the match at `at` counts (else the next one is tried); the pattern is then global. */
  stands?: (text: string, at: number) => boolean;
}

const FAMILIES: Family[] = [
  {
    name: 'contact',
    weight: 3,
    re: /加我\s*(?:<QQ>|<WECHAT>|微信|QQ|qq)|(?:拨打|致电|咨询电话|咨询热线|联系电话|预约电话|电话咨询)(?![^。\n]{0,6}(?:急救|120|110|报警))[^。\n]{0,12}<PHONE>|<PHONE>[^。\n]{0,6}(?:咨询|预约)/,
  },
  { name: 'guarantee', weight: 3, re: /包怀孕|包生男|全额退款|无效退款|费用大包干|永不复发|轻轻一贴|保证治愈|保证根治/g, stands: (text, at) => !negated(text, at) },
  { name: 'invite', weight: 1, re: /(?:到|来|至|前往|来到)(?:我院|本院|我们医院|我中心|本中心|我们中心)|来yuan|就诊地址|医院地址|乘车路线|欢迎[^。！\n]{0,4}(?:前来|来院|来我院)/ },
  { name: 'online', weight: 1, re: /在线咨询|网上咨询|点击(?:下方|下面|左侧|右侧|在线|咨询|头像)|搜索我|加我粉丝|关注我的|我的主页|公众号|我网站/ },
  { name: 'no_recurrence', weight: 1, re: /(?:根治|治愈|治好|痊愈)[^。，\n]{0,4}(?:不复发|不易复发)|一次性根治|不再复发/ },
  { name: 'disparage', weight: 1, re: /西医[^。\n]{0,8}(?:不能|无法|难以)根治|花钱不治病|仅仅针对表面/ },
  // 医院/中心 + a success rate counts after a name of two or more ideographs (X医院治愈率): checked on
  // the two characters before the match (ownInstitutionAt), not as a lookbehind tried at every position.
  { name: 'own_institution', weight: 1, re: /我院(?:引进|采用|独创|特色|专家|的)|本院(?:引进|采用|独创|特色)|(?:医院|中心)(?:治疗)?(?:有效率|治愈率|成功率)/g, stands: ownInstitutionAt },
];

/** Marketing claims: each distinct one counts 1, at most MAX_CLAIMS together. */
const CLAIMS = /疗效(?:卓著|确切|显著|可靠|独特|好)|见效快|疗程短|无痛苦|不开刀|不用开刀|无需手术|无需吃药|奇方|秘方|特色疗法|先进的?(?:仪器|设备|技术)|(?:专业|正规)的?专科医院|(?:有效率|治愈率|成功率)(?:高达|达到?)\s*\d+(?:\.\d+)?[%％]|独创|国内领先|国际领先|权威专家|老中医长期坐诊|专家坐诊|费用低|安全可靠|不易复发|不留疤痕|绿色疗法|纯中药/g;
const MAX_CLAIMS = 3;

export interface AdScore {
  score: number;
  /** The matched phrase of each family, and the claims. */
  hits: Record<string, string>;
}

export function scoreAdvertising(text: string): AdScore {
  const hits: Record<string, string> = {};
  let score = 0;
  for (const f of FAMILIES) {
    let m: RegExpExecArray | null;
    if (f.stands) {
      f.re.lastIndex = 0;
      while ((m = f.re.exec(text)) !== null && !f.stands(text, m.index)) f.re.lastIndex = m.index + 1;
    } else m = f.re.exec(text);
    if (m) {
      score += f.weight;
      hits[f.name] = m[0];
    }
  }
  const claims = new Set<string>();
  for (const m of text.matchAll(CLAIMS)) if (!negated(text, m.index)) claims.add(m[0]);
  if (claims.size) {
    score += Math.min(MAX_CLAIMS, claims.size);
    hits.claims = [...claims].sort().join('、');
  }
  return { score, hits };
}
