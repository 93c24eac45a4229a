/** The six real dialogue files of ../shared/data/dialogues the benchmarks run on, with their import format. */
export const CORPORA: Array<{ format: string; file: string }> = [
  { format: 'meddialog', file: 'meddialog_covid_zh/COVID-Dialogue-Dataset-Chinese.txt' },
  { format: 'hetmc', file: 'hetmc_chunyu/train.dialog' },
  { format: 'mie', file: 'mie_chunyu/dev.json' },
  { format: 'cmtmedqa', file: 'cmtmedqa/CMtMedQA_test.json' },
  { format: 'toyhom', file: 'toyhom_cmd/样例_内科5000-6000.csv' },
  { format: 'huatuo', file: 'huatuo26m/huatuo26M_test.json' },
];
