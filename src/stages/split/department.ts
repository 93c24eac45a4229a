/**
 * One department per dialogue. split gives every window of a dialogue the same pair; the graph
 * (validate) may then infer a pair per window, from the diseases each window names, so windows of
 * one dialogue could disagree. This runs after validate on one batch (all windows of a dialogue
 * are in the batch of the dialogue) and gives each dialogue the pair most of its windows got
 * (ties: the earliest window's), windows left at the default included. Pure: returns new envelopes.
 */
import type { RecordEnvelope } from '../../../schemas/record.js';

export function oneDepartmentPerDialogue(records: RecordEnvelope[], defaults: { cate1: string; cate2: string }): RecordEnvelope[] {
  const byDialogue = new Map<string, RecordEnvelope[]>();
  for (const env of records) {
    const g = byDialogue.get(env.dialogueId);
    if (g) g.push(env);
    else byDialogue.set(env.dialogueId, [env]);
  }
  const chosen = new Map<string, { cate1: string; cate2: string }>();
  for (const [id, group] of byDialogue) {
    if (group.length < 2) continue;
    const pairs = new Set(group.map((e) => `${e.record.cate1}\u0000${e.record.cate2}`));
    if (pairs.size < 2) continue;
    const votes = new Map<string, { count: number; first: number; pair: { cate1: string; cate2: string } }>();
    group.forEach((e, i) => {
      const { cate1, cate2 } = e.record;
      if (cate1 === defaults.cate1 && cate2 === defaults.cate2) return;
      const k = `${cate1}\u0000${cate2}`;
      const v = votes.get(k);
      if (v) v.count++;
      else votes.set(k, { count: 1, first: i, pair: { cate1, cate2 } });
    });
    let best: { count: number; first: number; pair: { cate1: string; cate2: string } } | undefined;
    for (const v of votes.values()) if (!best || v.count > best.count || (v.count === best.count && v.first < best.first)) best = v;
    if (best) chosen.set(id, best.pair);
  }
  if (chosen.size === 0) return records;
  return records.map((env) => {
    const pair = chosen.get(env.dialogueId);
    if (!pair || (env.record.cate1 === pair.cate1 && env.record.cate2 === pair.cate2)) return env;
    return { ...env, record: { ...env.record, ...pair }, annotations: { ...env.annotations, inferredDepartment: true } };
  });
}
