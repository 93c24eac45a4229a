/**
 * Page layouts as data: one site definition (src/scrape/layouts/<site>/site.json) and one file per
 * page generation (src/scrape/layouts/<site>/<generation>.json). The layout engine
 * (src/scrape/layout-engine.ts) reads pages only through these rules, so supporting a redesign is a
 * new data file, not new code. Selectors are cheerio (CSS plus :first/:last/:eq()); patterns are
 * JavaScript regular expressions written as strings, applied to short strings only (URLs, labels).
 */
import { z } from 'zod';

const Selector = z.string().min(1);
const Pattern = z.string().min(1).refine((p) => {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}, 'not a valid regular expression');

/** A page (or element) condition: every `all` selector matches, at least one `any` (when given), no `none`. */
export const LayoutCondition = z.strictObject({
  all: z.array(Selector).default([]),
  any: z.array(Selector).default([]),
  none: z.array(Selector).default([]),
});
export type LayoutCondition = z.infer<typeof LayoutCondition>;

export const LayoutRole = z.enum(['patient', 'doctor']);
export type LayoutRole = z.infer<typeof LayoutRole>;

/** How one turn element's text is read. */
export const TextRule = z.strictObject({
  /** Elements inside the turn element holding its text, in document order (default: the turn element itself). */
  select: Selector.optional(),
  /** Label elements (疾病, 病情描述 …): each labels the next `select` match as "label：text" and names a section. */
  label: Selector.optional(),
  /**
   * With `label`: each `select` element is read whole and its labels split it: the text from one
   * label to the next is that label's section (an intake card whose labels stand straight in the card,
   * their values as bare text after them, or a label alone in a paragraph the value follows).
   */
  splitAtLabels: z.boolean().default(false),
  /** Elements removed before reading (buttons, dates, names shown inside the turn). */
  remove: z.array(Selector).default([]),
  /** Removed from the start of the text (a "追问：" marker). */
  stripPrefix: Pattern.optional(),
});
export type TextRule = z.infer<typeof TextRule>;

/** Decides a turn's speaker: the first rule that holds wins. */
export const SpeakerRule = z.strictObject({
  /** The turn element is, or contains, a match. */
  if: Selector.optional(),
  /** Compare the text of this element inside the turn (default: the turn element's own text). */
  textOf: Selector.optional(),
  /** That text equals one of these. */
  equals: z.array(z.string()).optional(),
  /** That text matches this pattern. */
  matches: Pattern.optional(),
  /** `system`: a platform message (a 系统消息 bubble): nobody's turn, skipped and counted with the placeholders. */
  role: z.enum([...LayoutRole.options, 'system']),
});
export type SpeakerRule = z.infer<typeof SpeakerRule>;

export const TurnRule = z.strictObject({
  /** Turn elements in the document (all rules' matches are merged in document order). */
  select: Selector,
  /** Keep at most this many matches of this rule (a question/answer page keeps the first answer). */
  limit: z.number().int().positive().optional(),
  /** A fixed role … */
  role: LayoutRole.optional(),
  /** … or rules that decide it per element. A turn no rule decides makes the page unrecognised. */
  speaker: z.array(SpeakerRule).optional(),
  text: TextRule.prefault({}),
  /** A different text rule for doctor turns of this rule (haodf doctor and patient cards differ). */
  doctorText: TextRule.optional(),
  /** The block around a turn (its closest ancestor matching this) that `fields` are read in. */
  scope: Selector.optional(),
  /** Fields read inside the first kept turn's `scope` (the title of the doctor whose answer is kept); they win over the layout's. */
  fields: z.lazy(() => z.partialRecord(z.enum(FIELD_NAMES), z.array(FieldRule).min(1))).optional(),
}).refine((r) => (r.role === undefined) !== (r.speaker === undefined), 'give exactly one of role or speaker');
export type TurnRule = z.infer<typeof TurnRule>;

/** One way to read a field; a field lists several, tried in order until one gives text. */
export const FieldRule = z.strictObject({
  select: Selector.optional(),
  /** Read this attribute instead of the text. */
  attr: z.string().optional(),
  pick: z.enum(['first', 'last']).default('first'),
  /** The text of a labelled section collected from the turns (疾病 → disease). */
  section: z.string().optional(),
  /** Removed from the value (a "职称：" label). */
  strip: Pattern.optional(),
  /** Keep only the first capture group of this pattern (no match: rule gives nothing). */
  capture: Pattern.optional(),
}).refine((r) => (r.select === undefined) !== (r.section === undefined), 'give exactly one of select or section');
export type FieldRule = z.infer<typeof FieldRule>;

const FIELD_NAMES = ['title', 'department', 'subcategory', 'doctorTitle', 'disease', 'description'] as const;
export type LayoutField = (typeof FIELD_NAMES)[number];

export const Layout = z.strictObject({
  site: z.string().min(1),
  /** Generation id, unique within the site (haodf "zzx-2015"): origin.layout is "<site>/<generation>". */
  generation: z.string().regex(/^[a-z0-9][a-z0-9.-]*$/),
  /** The years the generation was served, as the crawlers saw it. */
  years: z.string().min(1),
  description: z.string().min(1),
  /** The page is this generation when this holds; the first generation (in site.json order) that holds is used. */
  detect: LayoutCondition,
  turns: z.array(TurnRule).min(1),
  fields: z.partialRecord(z.enum(FIELD_NAMES), z.array(FieldRule).min(1)).default({}),
  /** Question/answer pages where only the first doctor's answer (and its follow-ups) is kept. */
  singleTurn: z.boolean().default(false),
  /**
   * Answer threads (xywy: one div.docall per answering doctor, with its 追问/回复 follow-ups): turn
   * elements inside a thread element belong to that thread (a rule's `limit` and `fields` count per
   * thread); a turn element in none of them belongs to the thread that began last before it (a
   * follow-up block after its answer's element), and one before every thread (the question) opens
   * every thread. Each thread with a text
   * turn of its own becomes one dialogue, in page order; without threads the page is one dialogue.
   */
  threads: z.strictObject({
    select: Selector,
    /** More answered threads than this: the page is unrecognised (a page of hundreds of answers is not a layout we know, and would repeat the question in every one). */
    max: z.number().int().positive().default(64),
  }).optional(),
});
export type Layout = z.infer<typeof Layout>;

export const SiteDefinition = z.strictObject({
  name: z.string().min(1),
  /** Bump when any of the site's layouts changes (invalidates the parse cache). */
  version: z.string().min(1),
  /** Host names of the site (pattern on URL.hostname). */
  host: Pattern,
  /** Paths of consultation/question pages (pattern on URL.pathname): what `site: auto` and discovery follow. */
  questionPaths: z.array(Pattern).min(1),
  /** Paths of list pages that discovery reads for links (and never turns into dialogues). */
  listPaths: z.array(Pattern).default([]),
  /** The site's id of a page: first capture group of this pattern on URL.pathname (default: last path segment). */
  sourceId: Pattern.optional(),
  /** Generation ids, in the order they are tried. */
  layouts: z.array(z.string().min(1)).min(1),
  /** A login wall: a redirect to one of these hosts or paths, or a served page matching `page`. */
  login: z.strictObject({
    hosts: z.array(Pattern).default([]),
    paths: z.array(Pattern).default([]),
    page: LayoutCondition.optional(),
  }).prefault({}),
  /** Pages on the site that are not consultations (doctor profiles …), tried before the layouts. */
  notConsultation: z.array(z.strictObject({ what: z.string().min(1), path: Pattern.optional(), detect: LayoutCondition.optional() })).default([]),
  /** Lines that stand in for content we do not have (images, audio, privacy notices): dropped and counted. */
  placeholders: z.array(z.string().min(1)).default([]),
  /** Elements that stand in for content (audio players, image-only bubbles): removed and counted. */
  placeholderElements: z.array(Selector).default([]),
  /**
   * Platform system notices (医生已接诊, 问题已关闭, 系统提示：…, 评价 notices): a text line this pattern
   * matches in full (anchored; keep it linear, bounded repeats only) is dropped and counted with the
   * placeholders; a turn element no speaker rule decides whose text is only notices and placeholders
   * is skipped (a notice bubble is nobody's turn).
   */
  notices: z.array(Pattern).default([]),
  /**
   * A soft 404: an error page served with a success status (页面不存在, 该问题已删除). Tried only when no
   * layout matches, or the one that matches finds no text: the page's <title> or body text contains
   * one of `text`, its <title> one of `title` (short words such as 404 that body text may hold for
   * other reasons), or `detect` holds.
   */
  gone: z.strictObject({
    text: z.array(z.string().min(1)).default([]),
    title: z.array(z.string().min(1)).default([]),
    detect: LayoutCondition.optional(),
  }).prefault({}),
  /**
   * An anti-bot challenge served instead of the page (a captcha, a slider, 访问过于频繁): tried only
   * when no layout matches, before the login and soft-404 checks; the same shape as `gone` (body or
   * <title> text, <title>-only words, a detect rule for the challenge widgets).
   */
  blocked: z.strictObject({
    text: z.array(z.string().min(1)).default([]),
    title: z.array(z.string().min(1)).default([]),
    detect: LayoutCondition.optional(),
  }).prefault({}),
  /** Anti-crawling check: the page must carry the requested id (first capture of `url` on the path) in this attribute. */
  pageId: z.strictObject({ select: Selector, attr: z.string().min(1), url: Pattern }).optional(),
});
export type SiteDefinition = z.infer<typeof SiteDefinition>;
