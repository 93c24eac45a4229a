/**
 * The importer registry: one streaming importer per dump format (see each module's header for
 * its layout and traps). Executors pick an importer by the pipeline's `format` and know nothing
 * else about sources.
 */
import { importCmtMedQa } from './cmtmedqa.js';
import { refusingCompressed } from './compressed.js';
import { importHetmc } from './hetmc.js';
import { importHuatuo } from './huatuo.js';
import { importMedDialog } from './meddialog.js';
import { importMie } from './mie.js';
import { importToyhom } from './toyhom.js';
import type { FileFormat, Importer } from './types.js';

export type { FileFormat, ImportInput, ImportItem, Importer } from './types.js';

/** Each format's importer; a compressed or archived input is one reject before it (compressed.ts). */
export const importers: Record<FileFormat, Importer> = {
  meddialog: refusingCompressed('meddialog', importMedDialog),
  hetmc: refusingCompressed('hetmc', importHetmc),
  mie: refusingCompressed('mie', importMie),
  cmtmedqa: refusingCompressed('cmtmedqa', importCmtMedQa),
  toyhom: refusingCompressed('toyhom', importToyhom),
  huatuo: refusingCompressed('huatuo', importHuatuo),
};
