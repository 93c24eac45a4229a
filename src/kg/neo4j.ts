/**
 * The Neo4j backend: loads an imported graph into Neo4j 5 and answers GraphPort queries.
 * Model: (:Disease|Symptom|Drug|Check|Department|Food {g, name, aliases, sources}), relationships
 * with the dump's lower-snake names (has_symptom …, each with `ord` and `sources`),
 * (:Alias {g, norm})-[:ALIAS_OF {kind}]->(entity) for every name and alias (norm = the matcher's
 * fold), a full-text index over entity names, and one (:KgMeta {id: 'kg', version, …}).
 * `g` is the graph version a node belongs to: a new version is loaded *beside* the active one and
 * KgMeta is switched to it in one write only once every node, alias and relationship is in, so an
 * import that fails half way (a bad value, a lost connection) leaves the previous graph answering.
 * Every name is validated before the first write (validateForNeo4j). The version before the active
 * one is removed at the start of the next import; partial versions of failed imports too.
 * Every query is parameterised (labels and relationship types come from the closed enums in
 * schemas/kg.ts), names the database, and a GraphPort call is one round trip.
 */
import net from 'node:net';
import tls from 'node:tls';
import neo4j, { type Driver } from 'neo4j-driver';
import { KgGraph, KgRelation, RELATION_TARGET, type KgSourceFile } from '../../schemas/kg.js';
import type { EntityType } from '../../schemas/record.js';
import { CmtError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { foldTerm } from './fold.js';
import type { ImportedGraph } from './import/index.js';
import { dedupeSorted } from './memory.js';
import { MAX_LINKING_SYMPTOM_DEGREE, compareLexicon, type GraphLookup, type GraphLookupResult, type GraphPort, type KgStats, type LexiconEntry } from './port.js';

const LABELS: readonly EntityType[] = ['Check', 'Department', 'Disease', 'Drug', 'Food', 'Symptom'];
const RELATIONS: readonly KgRelation[] = KgRelation.options;
const BATCH = 10_000;
/** Neo4j's range index keys hold at most ~8 KB; names stay far below (the cleaner keeps ≤ 100 chars). */
export const MAX_NAME_BYTES = 4_000;
const FULLTEXT_INDEX = 'kg_entity_names';

export interface Neo4jOptions {
  uri: string;
  database?: string;
  user?: string;
  password?: string;
}

export interface Neo4jImportResult {
  version: string;
  /** False when the database already held this version (nothing written). */
  written: boolean;
  ms: number;
}

/** Lucene query syntax characters, escaped for full-text search. */
export function escapeLucene(s: string): string {
  return s.replace(/[+\-&|!(){}[\]^"~*?:\\/]/g, '\\$&');
}

/**
 * Checks everything an import would write, before it writes anything: the graph parses as
 * KgGraph, and every name, alias and relation end is a non-empty string of at most
 * MAX_NAME_BYTES UTF-8 bytes that names a node of the relation's type.
 */
export function validateForNeo4j(imported: ImportedGraph): void {
  const parsed = KgGraph.safeParse(imported.graph);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CmtError('CMT_KG_INVALID', `the graph to import is invalid at ${issue.path.join('.')}: ${issue.message}; nothing was written`, {});
  }
  const tooLong = (v: string) => Buffer.byteLength(v, 'utf8') > MAX_NAME_BYTES;
  const show = (v: string) => JSON.stringify(v.slice(0, 40)) + (v.length > 40 ? `… (${Buffer.byteLength(v, 'utf8')} bytes)` : '');
  const known = new Set<string>();
  for (const n of imported.graph.nodes) {
    for (const v of [n.name, ...n.aliases]) {
      if (tooLong(v)) {
        throw new CmtError('CMT_KG_INVALID', `${n.type} name or alias ${show(v)} is longer than ${MAX_NAME_BYTES} bytes (Neo4j cannot index it); clean the dump (names over 100 characters are dropped by \`kg import\` as too_long); nothing was written`, { type: n.type });
      }
    }
    known.add(`${n.type}\u0000${n.name}`);
  }
  for (const e of imported.graph.edges) {
    if (!known.has(`Disease\u0000${e[1]}`) || !known.has(`${RELATION_TARGET[e[0]]}\u0000${e[2]}`)) {
      throw new CmtError('CMT_KG_INVALID', `relation ${e[0]} ${show(e[1])} → ${show(e[2])} names a node the graph does not hold; nothing was written`, {});
    }
  }
}

/** How long a server may take to answer the Bolt handshake at connect. */
const HANDSHAKE_MS = 10_000;

/**
 * Resolves once the server at `uri` answers a Bolt handshake; rejects when it refuses, closes, or
 * says nothing within `ms`. The driver has no handshake timeout (its connectionTimeout ends at the
 * TCP connect), so a port that accepts and stays silent (an HTTP port, a swallowing firewall) would
 * keep its socket, and the process, open forever. The probe owns its socket and always destroys it.
 * Nothing but the handshake preamble is sent (no credentials), so TLS certificates are not checked here.
 */
function boltAnswers(uri: string, ms: number): Promise<void> {
  const u = new URL(uri);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port || 7687);
  const secure = /\+s{1,2}c?:$/.test(u.protocol);
  return new Promise<void>((resolve, reject) => {
    // The magic preamble and four version proposals (5.x … 4.x); any 4-byte answer means a Bolt server.
    const hello = Buffer.from([0x60, 0x60, 0xb0, 0x17, 0, 0, 4, 5, 0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 0]);
    const socket = secure ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false }) : net.connect({ host, port });
    const done = (e?: Error) => {
      clearTimeout(timer);
      socket.destroy();
      if (e) reject(e);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`no answer to the Bolt handshake within ${ms} ms`)), ms);
    socket.once(secure ? 'secureConnect' : 'connect', () => socket.write(hello));
    socket.once('data', () => done());
    socket.once('error', (e) => done(e));
    socket.once('close', () => done(new Error('the server closed the connection during the Bolt handshake')));
  });
}

export class Neo4jGraph implements GraphPort {
  private readonly driver: Driver;
  readonly database: string;
  readonly uri: string;
  private cachedVersion: string | null = null;
  /** The graph key (`g`) of the version this handle reads. */
  private cachedG: string | null = null;

  constructor(opts: Neo4jOptions) {
    this.uri = opts.uri;
    this.database = opts.database ?? 'neo4j';
    const user = opts.user ?? process.env.NEO4J_USER;
    const password = opts.password ?? process.env.NEO4J_PASSWORD ?? '';
    this.driver = neo4j.driver(opts.uri, user ? neo4j.auth.basic(user, password) : undefined, {
      disableLosslessIntegers: true,
      connectionTimeout: 10_000,
    });
  }

  /** Connects (one round trip); an unreachable server is a CmtError that says how to start one. */
  static async connect(opts: Neo4jOptions): Promise<Neo4jGraph> {
    const g = new Neo4jGraph(opts);
    try {
      await boltAnswers(opts.uri, HANDSHAKE_MS);
      await g.driver.getServerInfo({ database: g.database });
    } catch (e) {
      await g.driver.close();
      throw new CmtError(
        'CMT_NEO4J_UNREACHABLE',
        `cannot reach Neo4j at ${opts.uri} (${(e as Error).message}): start one with \`bash scripts/neo4j.sh start\` or set NEO4J_URI`,
        { uri: opts.uri },
        { cause: e },
      );
    }
    return g;
  }

  private async run<T = Record<string, unknown>>(cypher: string, params: Record<string, unknown> = {}): Promise<T[]> {
    const res = await this.driver.executeQuery(cypher, params, { database: this.database });
    return res.records.map((r) => r.toObject() as T);
  }

  /** Constraints and indexes (Cypher 5 syntax), idempotent. */
  async ensureSchema(): Promise<void> {
    // Constraints of the unversioned layout (one graph, name alone unique) would block a second version.
    for (const l of [...LABELS.map((x) => x.toLowerCase()), 'alias']) {
      await this.run(`DROP CONSTRAINT kg_${l}_${l === 'alias' ? 'norm' : 'name'} IF EXISTS`);
    }
    for (const l of LABELS) {
      await this.run(`CREATE CONSTRAINT kg_${l.toLowerCase()}_gname IF NOT EXISTS FOR (n:${l}) REQUIRE (n.g, n.name) IS UNIQUE`);
    }
    await this.run('CREATE CONSTRAINT kg_alias_gnorm IF NOT EXISTS FOR (a:Alias) REQUIRE (a.g, a.norm) IS UNIQUE');
    await this.run('CREATE CONSTRAINT kg_meta_id IF NOT EXISTS FOR (m:KgMeta) REQUIRE m.id IS UNIQUE');
    await this.run(`CREATE FULLTEXT INDEX ${FULLTEXT_INDEX} IF NOT EXISTS FOR (n:${LABELS.join('|')}) ON EACH [n.name, n.aliasText]`);
    await this.run('CALL db.awaitIndexes(300)');
  }

  async storedVersion(): Promise<{ version: string; g: string; complete: boolean } | null> {
    const rows = await this.run<{ version: string; g: string; complete: boolean }>(
      'MATCH (m:KgMeta {id: $id}) RETURN m.version AS version, coalesce(m.g, m.version) AS g, coalesce(m.complete, false) AS complete',
      { id: 'kg' },
    );
    return rows[0] ?? null;
  }

  /**
   * Loads the graph beside the active one and switches to it when complete. Idempotent: the
   * same version already active is a no-op (unless force). Every value is validated first;
   * a failure at any point leaves the previously active version answering.
   * `failAfter` is a test hook: throw after that phase, as a crash would.
   */
  async importGraph(imported: ImportedGraph, opts: { logger?: Logger; force?: boolean; failAfter?: 'nodes' | 'relations' } = {}): Promise<Neo4jImportResult> {
    const t0 = performance.now();
    const log = opts.logger;
    validateForNeo4j(imported);
    await this.ensureSchema();
    const stored = await this.storedVersion();
    if (!opts.force && stored?.complete && stored.version === imported.version) {
      this.cachedVersion = imported.version;
      return { version: imported.version, written: false, ms: performance.now() - t0 };
    }
    const active = stored?.complete ? stored.version : null;
    // Staging name: never the active version's, so a forced rewrite of the same version also loads beside it.
    const g = active === imported.version ? `${imported.version}~${Date.now().toString(36)}` : imported.version;
    await this.removeGraphsExcept(active && stored?.g ? [stored.g] : []);

    const session = this.driver.session({ database: this.database });
    try {
      const write = async (cypher: string, rows: unknown[]) => {
        for (let i = 0; i < rows.length; i += BATCH) {
          const batch = rows.slice(i, i + BATCH);
          await session.executeWrite((tx) => tx.run(cypher, { rows: batch, g }));
        }
      };
      for (const label of LABELS) {
        const rows = imported.graph.nodes
          .filter((n) => n.type === label)
          .map((n) => ({ name: n.name, aliases: n.aliases, aliasText: n.aliases.join(' '), sources: n.sources }));
        await write(`UNWIND $rows AS r CREATE (n:${label} {g: $g, name: r.name}) SET n.aliases = r.aliases, n.aliasText = r.aliasText, n.sources = r.sources`, rows);
        log?.debug({ label, nodes: rows.length }, 'kg neo4j: nodes written');
      }
      const aliasRows = new Map<EntityType, Array<{ norm: string; name: string; kind: string }>>();
      for (const n of imported.graph.nodes) {
        let list = aliasRows.get(n.type);
        if (!list) aliasRows.set(n.type, (list = []));
        list.push({ norm: foldTerm(n.name), name: n.name, kind: 'name' });
        for (const a of n.aliases) list.push({ norm: foldTerm(a), name: n.name, kind: 'alias' });
      }
      for (const label of LABELS) {
        await write(
          `UNWIND $rows AS r MATCH (e:${label} {g: $g, name: r.name}) MERGE (a:Alias {g: $g, norm: r.norm}) MERGE (a)-[x:ALIAS_OF {kind: r.kind}]->(e)`,
          aliasRows.get(label) ?? [],
        );
      }
      if (opts.failAfter === 'nodes') throw new CmtError('CMT_KG_INVALID', 'test hook: import stopped after the nodes', {});
      for (const rel of RELATIONS) {
        const target = RELATION_TARGET[rel];
        const rows = imported.graph.edges.filter((e) => e[0] === rel).map((e) => [e[1], e[2], neo4j.int(e[3]), e[4]]);
        await write(
          `UNWIND $rows AS r MATCH (s:Disease {g: $g, name: r[0]}) MATCH (t:${target} {g: $g, name: r[1]}) CREATE (s)-[x:${rel}]->(t) SET x.ord = r[2], x.sources = r[3]`,
          rows,
        );
        log?.debug({ rel, edges: rows.length }, 'kg neo4j: relationships written');
      }
      if (opts.failAfter === 'relations') throw new CmtError('CMT_KG_INVALID', 'test hook: import stopped after the relationships', {});
      // The switch: one write.
      await session.executeWrite((tx) =>
        tx.run(
          `MERGE (m:KgMeta {id: $id})
           SET m.version = $version, m.g = $g, m.previous = $previous, m.complete = true, m.importedAt = $importedAt,
               m.sources = $sources, m.counts = $counts, m.report = $report`,
          {
            id: 'kg',
            version: imported.version,
            g,
            previous: stored?.complete ? stored.g : null,
            importedAt: new Date().toISOString(),
            sources: JSON.stringify(imported.sources satisfies KgSourceFile[]),
            counts: JSON.stringify(imported.counts),
            report: JSON.stringify(imported.report),
          },
        ),
      );
    } finally {
      await session.close();
    }
    this.cachedVersion = imported.version;
    this.cachedG = g;
    return { version: imported.version, written: true, ms: performance.now() - t0 };
  }

  /** Removes every node (and its relationships) whose graph key `g` is not in `keep`, in batches. */
  async removeGraphsExcept(keep: string[]): Promise<void> {
    const session = this.driver.session({ database: this.database });
    try {
      const labels = [...LABELS, 'Alias'].map((l) => `n:${l}`).join(' OR ');
      await session.run(
        `MATCH (n) WHERE (${labels}) AND (n.g IS NULL OR NOT n.g IN $keep) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF ${BATCH} ROWS`,
        { keep },
      );
    } finally {
      await session.close();
    }
  }

  /** Removes the whole graph (KgMeta first). */
  async clear(): Promise<void> {
    await this.run('MATCH (m:KgMeta) DELETE m');
    const session = this.driver.session({ database: this.database });
    try {
      const labels = [...LABELS, 'Alias'].map((l) => `n:${l}`).join(' OR ');
      await session.run(`MATCH (n) WHERE ${labels} CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF ${BATCH} ROWS`);
    } finally {
      await session.close();
    }
    this.cachedVersion = null;
    this.cachedG = null;
  }

  /** The loaded version (read once per handle: a graph is swapped by re-import, then reconnect). */
  async version(): Promise<string> {
    if (this.cachedVersion) return this.cachedVersion;
    const stored = await this.storedVersion();
    if (!stored?.complete) {
      throw new CmtError('CMT_KG_INVALID', `Neo4j at ${this.uri} (database ${this.database}) holds no complete graph: run \`cmtmedqa kg import <dump> --neo4j ${this.uri}\``, { uri: this.uri });
    }
    this.cachedVersion = stored.version;
    this.cachedG = stored.g;
    return stored.version;
  }

  /** The graph key every read filters on. */
  private async gKey(): Promise<string> {
    if (!this.cachedG) await this.version();
    if (!this.cachedG) {
      const stored = await this.storedVersion();
      this.cachedG = stored?.g ?? this.cachedVersion!;
    }
    return this.cachedG;
  }

  async lexicon(): Promise<LexiconEntry[]> {
    const out: LexiconEntry[] = [];
    const g = await this.gKey();
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      // Streamed: ~60k rows for the merged graph.
      const result = session.run('MATCH (a:Alias {g: $g})-[:ALIAS_OF]->(e) RETURN a.norm AS term, e.name AS name, labels(e) AS labels', { g });
      for await (const r of result) {
        const type = (r.get('labels') as string[]).find((l): l is EntityType => (LABELS as string[]).includes(l));
        if (type) out.push({ term: r.get('term') as string, name: r.get('name') as string, type });
      }
    } finally {
      await session.close();
    }
    return dedupeSorted(out.sort(compareLexicon));
  }

  async drugTreatsDisease(pairs: Array<[string, string]>): Promise<boolean[]> {
    return (await this.lookup({ drugDisease: pairs, departmentsOf: [], drugLinks: { drugs: [], diseases: [] } })).treats;
  }

  async departmentsOf(diseases: string[]): Promise<Map<string, string[]>> {
    return (await this.lookup({ drugDisease: [], departmentsOf: diseases, drugLinks: { drugs: [], diseases: [] } })).departments;
  }

  async lookup(q: GraphLookup): Promise<GraphLookupResult> {
    const g = await this.gKey();
    const rows = await this.run<{
      treated: number[];
      departments: Array<{ name: string; dep: string; ord: number }>;
      drugLinks: Array<{ name: string; c: number }>;
      diseaseLinks: Array<{ name: string; c: number }>;
      indications: Array<{ i: number; ind: Array<{ disease: string; sources: string[] }>; via: unknown; dep: unknown }>;
    }>(
      `CALL {
         UNWIND range(0, size($pairs) - 1) AS i
         WITH i, $pairs[i] AS p
         OPTIONAL MATCH (d:Disease {g: $g, name: p[1]})
         WITH i, d, p
         WHERE d IS NOT NULL AND EXISTS { MATCH (d)-[:common_drug|recommand_drug]->(:Drug {g: $g, name: p[0]}) }
         RETURN collect(i) AS treated
       }
       CALL {
         UNWIND $departmentsOf AS n
         MATCH (:Disease {g: $g, name: n})-[r:belongs_to]->(dep:Department)
         RETURN collect({name: n, dep: dep.name, ord: r.ord}) AS departments
       }
       CALL {
         UNWIND $drugs AS n
         MATCH (x:Drug {g: $g, name: n})
         RETURN collect({name: n, c: COUNT { (x)<-[:common_drug|recommand_drug]-(:Disease) }}) AS drugLinks
       }
       CALL {
         UNWIND $diseases AS n
         MATCH (x:Disease {g: $g, name: n})
         RETURN collect({name: n, c: COUNT { (x)-[:common_drug|recommand_drug]->(:Drug) }}) AS diseaseLinks
       }
       CALL {
         UNWIND range(0, size($indications) - 1) AS i
         WITH i, $indications[i] AS q
         MATCH (x:Drug {g: $g, name: q.drug})<-[r:common_drug|recommand_drug]-(d:Disease)
         WITH i, q, d, collect(r.sources) AS srcs
         WITH i, q, d, reduce(acc = [], s IN srcs | acc + [v IN s WHERE NOT v IN acc]) AS sources
         CALL {
           WITH q, d
           OPTIONAL MATCH (d)-[:has_symptom]->(sym:Symptom)
           WHERE sym.name IN q.symptoms
              OR (COUNT { (sym)<-[:has_symptom]-(:Disease) } <= $maxDeg
                  AND EXISTS { MATCH (c:Disease)-[:has_symptom]->(sym) WHERE c.g = $g AND c.name IN q.diseases })
           RETURN collect(DISTINCT sym.name) AS syms
         }
         CALL {
           WITH q, d
           OPTIONAL MATCH (d)-[r1:belongs_to]->(dep:Department)<-[r2:belongs_to]-(c:Disease)
           WHERE r1.ord >= 1 AND r2.ord >= 1 AND c.g = $g AND c.name IN q.diseases
           RETURN collect(DISTINCT dep.name) AS deps
         }
         WITH i, collect({disease: d.name, sources: sources}) AS ind, collect([d.name, syms]) AS viaRaw, collect([d.name, deps]) AS depRaw
         RETURN collect({i: i, ind: ind, via: [p IN viaRaw WHERE size(p[1]) > 0 | p], dep: [p IN depRaw WHERE size(p[1]) > 0 | p]}) AS indications
       }
       RETURN treated, departments, drugLinks, diseaseLinks, indications`,
      {
        g,
        pairs: q.drugDisease,
        departmentsOf: [...new Set(q.departmentsOf)],
        drugs: [...new Set(q.drugLinks.drugs)],
        diseases: [...new Set(q.drugLinks.diseases)],
        indications: q.indications ?? [],
        maxDeg: neo4j.int(MAX_LINKING_SYMPTOM_DEGREE),
      },
    );
    const row = rows[0];
    const treats = q.drugDisease.map(() => false);
    for (const i of row.treated) treats[i] = true;
    const grouped = new Map<string, Array<{ dep: string; ord: number }>>();
    for (const d of row.departments) {
      let list = grouped.get(d.name);
      if (!list) grouped.set(d.name, (list = []));
      list.push(d);
    }
    const departments = new Map<string, string[]>();
    for (const name of q.departmentsOf) {
      const list = grouped.get(name);
      if (!list || departments.has(name)) continue;
      list.sort((a, b) => a.ord - b.ord || (a.dep < b.dep ? -1 : a.dep > b.dep ? 1 : 0));
      departments.set(name, list.map((x) => x.dep));
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    const indications: GraphLookupResult['indications'] = (q.indications ?? []).map(() => ({ indications: [], viaSymptom: [], viaDepartment: [] }));
    for (const r of row.indications) {
      const via = (r.via as Array<[string, string[]]>).flatMap(([disease, syms]) => syms.map((symptom) => ({ disease, symptom })));
      const dep = (r.dep as Array<[string, string[]]>).flatMap(([disease, deps]) => deps.map((department) => ({ disease, department })));
      indications[r.i] = {
        indications: r.ind.map((x) => ({ disease: x.disease, sources: [...x.sources].sort(cmp) })).sort((a, b) => cmp(a.disease, b.disease)),
        viaSymptom: via.sort((a, b) => cmp(a.disease, b.disease) || cmp(a.symptom, b.symptom)),
        viaDepartment: dep.sort((a, b) => cmp(a.disease, b.disease) || cmp(a.department, b.department)),
      };
    }
    return {
      treats,
      departments,
      drugLinks: {
        drugs: new Map(row.drugLinks.map((x) => [x.name, x.c])),
        diseases: new Map(row.diseaseLinks.map((x) => [x.name, x.c])),
      },
      indications,
    };
  }

  /** Fuzzy lookup through the full-text index (names and aliases), best first. */
  async search(text: string, limit = 10): Promise<Array<{ name: string; type: EntityType; score: number }>> {
    const rows = await this.run<{ name: string; labels: string[]; score: number }>(
      `CALL db.index.fulltext.queryNodes($index, $q, {limit: $limit * 4}) YIELD node, score
       WITH node, score WHERE node.g = $g
       RETURN node.name AS name, labels(node) AS labels, score LIMIT $limit`,
      { index: FULLTEXT_INDEX, q: escapeLucene(text), limit: neo4j.int(limit), g: await this.gKey() },
    );
    return rows.map((r) => ({ name: r.name, type: r.labels.find((l) => (LABELS as string[]).includes(l)) as EntityType, score: r.score }));
  }

  async stats(): Promise<KgStats> {
    const version = await this.version();
    const g = await this.gKey();
    const parts = [
      ...LABELS.map((l) => `CALL { MATCH (n:${l} {g: $g}) RETURN count(n) AS n_${l} }`),
      ...RELATIONS.map((r) => `CALL { MATCH (:Disease {g: $g})-[x:${r}]->() RETURN count(x) AS r_${r} }`),
      "CALL { MATCH (:Alias {g: $g})-[x:ALIAS_OF {kind: 'alias'}]->() RETURN count(x) AS aliases }",
      `CALL { MATCH (n) WHERE n.g = $g AND (${LABELS.map((l) => `n:${l}`).join(' OR ')}) UNWIND n.sources AS s WITH s, count(*) AS c RETURN collect([s, c]) AS nodeSources }`,
      'CALL { MATCH (:Disease {g: $g})-[x]->() WHERE x.sources IS NOT NULL UNWIND x.sources AS s WITH s, count(*) AS c RETURN collect([s, c]) AS relSources }',
    ];
    const rows = await this.run<Record<string, unknown>>(`${parts.join('\n')}\nRETURN *`, { g });
    const row = rows[0];
    const nodes: Record<string, number> = {};
    const relations: Record<string, number> = {};
    for (const l of LABELS) if ((row[`n_${l}`] as number) > 0) nodes[l] = row[`n_${l}`] as number;
    for (const r of [...RELATIONS].sort()) if ((row[`r_${r}`] as number) > 0) relations[r] = row[`r_${r}`] as number;
    const by = new Map<string, { nodes: number; relations: number }>();
    const at = (k: string) => by.get(k) ?? (by.set(k, { nodes: 0, relations: 0 }), by.get(k)!);
    for (const [k, c] of row.nodeSources as Array<[string, number]>) at(k).nodes = c;
    for (const [k, c] of row.relSources as Array<[string, number]>) at(k).relations = c;
    const bySource: KgStats['bySource'] = {};
    for (const k of [...by.keys()].sort()) bySource[k] = by.get(k)!;
    return { version, nodes, relations, aliases: row.aliases as number, bySource };
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
