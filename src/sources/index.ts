/**
 * The importer registry: one streaming importer per dump format (see each module's header for
 * its layout and traps). Executors pick an importer by the pipeline's `format` and know nothing
 * else about sources.
 */
import { importCmtMedQa } from './cmtmedqa.js';
import { importHetmc } from './hetmc.js';
import { importHuatuo } from './huatuo.js';
import { importMedDialog } from './meddialog.js';
import { importMie } from './mie.js';
import { importToyhom } from './toyhom.js';
import type { FileFormat, Importer } from './types.js';

export type { FileFormat, ImportInput, ImportItem, Importer } from './types.js';

export const importers: Record<FileFormat, Importer> = {
  meddialog: importMedDialog,
  hetmc: importHetmc,
  mie: importMie,
  cmtmedqa: importCmtMedQa,
  toyhom: importToyhom,
  huatuo: importHuatuo,
};
