/**
 * Rejected records: the closed set of reasons (dotted by stage) and the record users list,
 * filter and re-queue. A new reason is a schema change: add it here with its description.
 */
import { z } from 'zod';
import { Origin } from './dialogue.js';

export const REJECT_REASONS = {
  'import.encoding': 'bytes are not valid in any supported encoding (UTF-8, GB18030/GBK) or contain replacement characters',
  'import.parse_error': 'a block, line or JSON value of the source could not be parsed in its format',
  'import.truncated': 'the input ends in the middle of a record (truncated file)',
  'import.schema': 'a parsed source record does not have the fields its format requires',
  'import.no_dialogue': 'a source entry has no dialogue section at all (e.g. MedDialog id without Dialogue)',
  'normalise.empty': 'no text turn is left after normalisation',
  'normalise.unknown_speaker': 'a turn has a speaker label that maps to neither patient nor doctor',
  'normalise.too_long': 'a text field (utterance, description, title …) is longer, before cleaning, than normalise reads (8 × split.maxChars characters)',
  'split.no_patient_turn': 'the dialogue has no patient turn to start a record with',
  'split.no_doctor_turn': 'the dialogue has no doctor turn answering a patient turn',
  'split.too_short': 'the dialogue or record is shorter than the configured minimum',
  'split.too_long': 'a single utterance is longer than the configured window length budget',
  'split.pleasantry_only': 'rounds whose doctor answer is only thanks or courtesy (谢谢→不客气, 好的→好的) that no record takes as context: they end no record',
  'split.thin_output': 'rounds whose doctor answer has fewer meaningful characters than split.minOutputChars, that no record takes as context',
  'split.thin_instruction': 'rounds whose patient turn has fewer meaningful characters than split.minInstructionChars ("吗"), that no record takes as context',
  'validate.schema': 'the record does not match the CMtMedQA schema',
  'validate.no_entity': 'the record mentions no medical entity known to the graph',
  'validate.drug_not_for_disease': 'the doctor recommends a drug whose indications the graph knows, and none of them is a disease or symptom named in the dialogue',
  'validate.drug_indications_unknown': 'the doctor recommends a drug the graph knows too few indications of to judge against the dialogue',
  'validate.unknown_drug': 'a drug-like name (…片, …胶囊, …颗粒, …注射液) that the graph does not know',
  'dedup.exact_duplicate': 'the record is identical (after normalisation) to an earlier record',
  'dedup.near_duplicate': 'the record is a near-duplicate (MinHash/LSH) of an earlier record',
  'filter.too_many_tokens': 'the record is longer than the configured token budget',
  'quality.machine_spun': 'the record reads as machine-spun (synonym-substituted) text: the project\'s character language model and spin lexicon score it at or above quality.threshold',
  'quality.truncated': 'a turn of the record stops mid-sentence at its file\'s length cap: the file\'s turns pile up at exactly that many characters and end without sentence-final punctuation there (a dump saved from a field that cut its texts)',
  'quality.advertising': 'the record markets a hospital, clinic, product or branded therapy, or asks the reader to call or add a contact (拨打咨询电话, 加我QQ, 包怀孕, 轻轻一贴治愈): its advertising score is at or above quality.advertising.threshold',
  'scrape.host_not_allowed': 'the URL host is not on the pipeline allow-list',
  'scrape.address_refused': 'the host resolves to a loopback, private, link-local or metadata address not explicitly allowed',
  'scrape.robots_disallowed': 'robots.txt disallows the URL for our user agent',
  'scrape.crawl_delay_too_long': "the host's robots.txt Crawl-delay is longer than scrape.maxCrawlDelaySec: its URLs are not fetched",
  'scrape.http_error': 'the server answered with a non-success status after retries',
  'scrape.network_error': 'the request failed (connection, timeout) after retries',
  'scrape.too_large': 'the response body exceeded the size cap',
  'scrape.redirect_limit': 'too many redirects (or a redirect loop)',
  'scrape.crawl_limit': 'discovery found the page after maxPages pages were already taken; it was not fetched',
  'scrape.login_required': 'the site answered with a login wall (a redirect to its login host/page, or a login page) instead of the page',
  'scrape.blocked': 'the site served an anti-bot challenge (a captcha, a slider, 访问过于频繁) instead of the page: fetch it again later, more slowly',
  'parse.layout_unrecognised': 'the page layout is not one the site adapter recognises',
  'parse.charset': 'the page could not be decoded in its declared or sniffed charset',
  'parse.not_a_consultation': 'the page is on the site but is not a consultation (a doctor profile, a list page …)',
  'parse.page_mismatch': 'the page holds another question than the one requested (anti-crawling substitution)',
  'parse.page_gone': 'the consultation does not exist or was deleted, though the server answered with success (a soft 404): the site\'s error page (页面不存在, 该问题已删除), or a redirect from the question to the home or a list page',
  'parse.truncated': 'the page ends before </body> or </html> (a response cut short); parsing it would lose turns',
  'executor.poison_batch': 'a record made its batch fail repeatedly and was parked',
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;
export const RejectReason = z.enum(Object.keys(REJECT_REASONS) as [RejectReason, ...RejectReason[]]);

export const Stage = z.enum(['import', 'scrape', 'parse', 'normalise', 'split', 'quality', 'validate', 'dedup', 'filter', 'shard', 'executor']);
export type Stage = z.infer<typeof Stage>;

export const Reject = z.object({
  /** Deterministic: sha256 of stage, reason, origin and input. */
  id: z.string(),
  stage: Stage,
  reason: RejectReason,
  detail: z.string(),
  origin: Origin,
  /** The dialogue id the input belonged to, when one was assigned (for accounting). */
  dialogueId: z.string().optional(),
  /** Machine-readable evidence (duplicate-of id, similarity, unknown names …). */
  evidence: z.unknown().optional(),
  /** The offending input as the stage received it (raw text, parsed value or record). */
  input: z.unknown(),
});
export type Reject = z.infer<typeof Reject>;

/**
 * The `input` of a reject as written to rejects.jsonl: one shape for every stage, so the file
 * loads as one table (Arrow, `datasets`): `text` for raw source text as read, `json` for a parsed
 * value, dialogue or record (its JSON text in `value`).
 */
export const RejectLineInput = z.object({ kind: z.enum(['text', 'json']), value: z.string() });
export type RejectLineInput = z.infer<typeof RejectLineInput>;
