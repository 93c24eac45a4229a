import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { KgGraph, KgSnapshot, isKgGraph } from '../../schemas/kg.js';
import { canonicalJson } from '../../src/core/ids.js';
import { canonicalGraphJson, graphVersion } from '../../src/kg/import/build.js';
import { readSnapshot, writeSnapshot } from '../../src/kg/snapshot.js';
import { importFixture } from './contract.js';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** Graphs that differ from a valid one in one way the schema may or may not accept. */
function variants(g: KgGraph): unknown[] {
  const out: unknown[] = [g, { nodes: [], edges: [] }];
  const node = g.nodes[0]!;
  const edge = g.edges[0]!;
  const withNode = (n: unknown) => ({ ...g, nodes: [n, ...g.nodes.slice(1)] });
  const withEdge = (e: unknown) => ({ ...g, edges: [e, ...g.edges.slice(1)] });
  for (const n of [{ ...node, extra: 1 }, { ...node, type: 'Gene' }, { ...node, name: '' }, { ...node, aliases: [''] }, { ...node, aliases: ['a', 1] }, { ...node, sources: 'x' }, { type: node.type, name: node.name, aliases: node.aliases }, Object.assign(Object.create(null), node), null, [node]]) out.push(withNode(n));
  for (const e of [[...edge, 'x'], edge.slice(0, 4), ['no_such', ...edge.slice(1)], [edge[0], '', ...edge.slice(2)], [...edge.slice(0, 3), -1, edge[4]], [...edge.slice(0, 3), 1.5, edge[4]], [...edge.slice(0, 3), '1', edge[4]], [...edge.slice(0, 4), []], [...edge.slice(0, 4), ['']], { ...edge }]) out.push(withEdge(e));
  out.push({ ...g, extra: [] }, { nodes: g.nodes }, null, [], 'graph');
  return out;
}

describe('graph snapshot fast path', () => {
  it('isKgGraph accepts only graphs the schema accepts', async () => {
    const g = (await importFixture()).graph;
    let accepted = 0;
    for (const v of variants(clone(g))) {
      if (isKgGraph(v)) {
        accepted++;
        expect(KgGraph.safeParse(v).success).toBe(true);
      }
    }
    expect(isKgGraph(clone(g))).toBe(true);
    expect(accepted).toBe(2); // the graph itself and the empty one; every other variant is a schema error
  });

  it('writes the canonical JSON of a graph byte for byte as canonicalJson does', async () => {
    const g = clone((await importFixture()).graph);
    expect(canonicalGraphJson(g)).toBe(canonicalJson(g));
    // Awkward strings: escapes, quotes, surrogates, keys in another insertion order.
    const odd: KgGraph = {
      nodes: [{ sources: ['s"1'], type: 'Drug', aliases: ['a\\b', '\u2028x', '😀'], name: 'n\n"q"' }, ...g.nodes],
      edges: [['common_drug', '病\u0000', '药\ud800', 0, ['x']], ...g.edges],
    };
    expect(isKgGraph(odd)).toBe(true);
    expect(canonicalGraphJson(odd)).toBe(canonicalJson(odd));
    expect(graphVersion(odd)).toBe(graphVersion(clone(odd)));
  });

  it('reads a snapshot to the same value as the schema parse, and still refuses a bad one', async () => {
    const imported = await importFixture();
    const dir = mkdtempSync(path.join(tmpdir(), 'snap-fast-'));
    const file = path.join(dir, 'g.kg.json.gz');
    await writeSnapshot(file, imported);
    const json = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8'));
    expect(await readSnapshot(file)).toEqual(KgSnapshot.parse(json));
    // A node with an extra key: the fast test fails, zod names the issue.
    const extra = clone(json);
    extra.graph.nodes[0].extra = 1;
    writeFileSync(file, gzipSync(JSON.stringify(extra)));
    await expect(readSnapshot(file)).rejects.toMatchObject({ code: 'CMT_KG_INVALID', message: expect.stringContaining('graph.nodes.0') });
    // A bad field outside the graph: refused too.
    const meta = clone(json);
    meta.version = 'not-a-hash';
    writeFileSync(file, gzipSync(JSON.stringify(meta)));
    await expect(readSnapshot(file)).rejects.toMatchObject({ code: 'CMT_KG_INVALID', message: expect.stringContaining('version') });
    // A valid-looking graph that was edited: its hash no longer matches.
    const edited = clone(json);
    edited.graph.nodes[0].aliases.push('手改');
    writeFileSync(file, gzipSync(JSON.stringify(edited)));
    await expect(readSnapshot(file)).rejects.toMatchObject({ code: 'CMT_KG_INVALID', message: expect.stringContaining('does not match its version') });
  });
});
