/**
 * The closed sets of formats, each declared once: every schema, importer table and writer that
 * names a format takes it from here.
 */
import { z } from 'zod';

/** The dump formats there is an importer for (src/sources/). */
export const DUMP_FORMATS = ['meddialog', 'hetmc', 'mie', 'cmtmedqa', 'toyhom', 'huatuo'] as const;

/** Where a dialogue can come from (Origin.format): a dump, or the scraper. */
export const SourceFormat = z.enum([...DUMP_FORMATS, 'scrape']);
export type SourceFormat = z.infer<typeof SourceFormat>;

/** What a file source (`sources[].format`) can read: a dump, or a requeue file of rejected inputs. */
export const FileSourceFormat = z.enum([...DUMP_FORMATS, 'requeue']);
export type FileSourceFormat = z.infer<typeof FileSourceFormat>;

/** Shard record encodings (`shard.format`, manifest `format`); see src/output/formats.ts. */
export const ShardFormat = z.enum(['cmtmedqa', 'sharegpt', 'parquet']);
export type ShardFormat = z.infer<typeof ShardFormat>;
