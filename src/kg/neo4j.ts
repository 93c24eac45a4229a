/**
 * The Neo4j backend: loads an imported graph into Neo4j 5 and answers GraphPort queries.
 * Model: (:Disease|Symptom|Drug|Check|Department|Food {name, aliases}), relationships with the
 * dump's lower-snake names (has_symptom …, each with `ord`), (:Alias {norm})-[:ALIAS_OF {kind}]->(entity)
 * for every name and alias (norm = the matcher's fold), a full-text index over entity names,
 * and one (:KgMeta {id: 'kg', version, …}) written last, so an interrupted import never looks complete.
 * Every query is parameterised (labels and relationship types come from the closed enums in
 * schemas/kg.ts), names the database, and a GraphPort call is one round trip.
 * Community edition has one user database: an import of a different version replaces the graph.
 */
import neo4j, { type Driver } from 'neo4j-driver';
import { KgRelation, RELATION_TARGET, type KgSourceFile } from '../../schemas/kg.js';
import type { EntityType } from '../../schemas/record.js';
import { CmtError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { foldTerm } from './fold.js';
import type { ImportedGraph } from './import/index.js';
import { dedupeSorted } from './memory.js';
import { compareLexicon, type GraphLookup, type GraphLookupResult, type GraphPort, type KgStats, type LexiconEntry } from './port.js';

const LABELS: readonly EntityType[] = ['Check', 'Department', 'Disease', 'Drug', 'Food', 'Symptom'];
const RELATIONS: readonly KgRelation[] = KgRelation.options;
const BATCH = 10_000;
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

export class Neo4jGraph implements GraphPort {
  private readonly driver: Driver;
  readonly database: string;
  readonly uri: string;
  private cachedVersion: string | null = null;

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
    for (const l of LABELS) {
      await this.run(`CREATE CONSTRAINT kg_${l.toLowerCase()}_name IF NOT EXISTS FOR (n:${l}) REQUIRE n.name IS UNIQUE`);
    }
    await this.run('CREATE CONSTRAINT kg_alias_norm IF NOT EXISTS FOR (a:Alias) REQUIRE a.norm IS UNIQUE');
    await this.run('CREATE CONSTRAINT kg_meta_id IF NOT EXISTS FOR (m:KgMeta) REQUIRE m.id IS UNIQUE');
    await this.run(`CREATE FULLTEXT INDEX ${FULLTEXT_INDEX} IF NOT EXISTS FOR (n:${LABELS.join('|')}) ON EACH [n.name, n.aliasText]`);
    await this.run('CALL db.awaitIndexes(300)');
  }

  async storedVersion(): Promise<{ version: string; complete: boolean } | null> {
    const rows = await this.run<{ version: string; complete: boolean }>(
      'MATCH (m:KgMeta {id: $id}) RETURN m.version AS version, coalesce(m.complete, false) AS complete',
      { id: 'kg' },
    );
    return rows[0] ?? null;
  }

  /**
   * Loads the graph. Idempotent: the same version already complete is a no-op; anything else
   * is cleared first and written with batched UNWIND … MERGE (nodes, then aliases, then
   * relationships, then KgMeta), one transaction per batch, batches in sequence.
   */
  async importGraph(imported: ImportedGraph, opts: { logger?: Logger; force?: boolean } = {}): Promise<Neo4jImportResult> {
    const t0 = performance.now();
    const log = opts.logger;
    await this.ensureSchema();
    const stored = await this.storedVersion();
    if (!opts.force && stored?.complete && stored.version === imported.version) {
      this.cachedVersion = imported.version;
      return { version: imported.version, written: false, ms: performance.now() - t0 };
    }
    await this.clear();

    const session = this.driver.session({ database: this.database });
    try {
      const write = async (cypher: string, rows: unknown[]) => {
        for (let i = 0; i < rows.length; i += BATCH) {
          const batch = rows.slice(i, i + BATCH);
          await session.executeWrite((tx) => tx.run(cypher, { rows: batch }));
        }
      };
      for (const label of LABELS) {
        const rows = imported.graph.nodes
          .filter((n) => n.type === label)
          .map((n) => ({ name: n.name, aliases: n.aliases, aliasText: n.aliases.join(' ') }));
        await write(`UNWIND $rows AS r MERGE (n:${label} {name: r.name}) SET n.aliases = r.aliases, n.aliasText = r.aliasText`, rows);
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
          `UNWIND $rows AS r MATCH (e:${label} {name: r.name}) MERGE (a:Alias {norm: r.norm}) MERGE (a)-[x:ALIAS_OF {kind: r.kind}]->(e)`,
          aliasRows.get(label) ?? [],
        );
      }
      for (const rel of RELATIONS) {
        const target = RELATION_TARGET[rel];
        const rows = imported.graph.edges.filter((e) => e[0] === rel).map((e) => [e[1], e[2], neo4j.int(e[3])]);
        await write(
          `UNWIND $rows AS r MATCH (s:Disease {name: r[0]}) MATCH (t:${target} {name: r[1]}) MERGE (s)-[x:${rel}]->(t) SET x.ord = r[2]`,
          rows,
        );
        log?.debug({ rel, edges: rows.length }, 'kg neo4j: relationships written');
      }
      await session.executeWrite((tx) =>
        tx.run(
          `MERGE (m:KgMeta {id: $id})
           SET m.version = $version, m.complete = true, m.importedAt = $importedAt,
               m.sources = $sources, m.counts = $counts, m.report = $report`,
          {
            id: 'kg',
            version: imported.version,
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
    return { version: imported.version, written: true, ms: performance.now() - t0 };
  }

  /** Removes the graph (KgMeta first), in batches of implicit transactions. */
  async clear(): Promise<void> {
    await this.run('MATCH (m:KgMeta) DELETE m');
    const session = this.driver.session({ database: this.database });
    try {
      // Relationships first (cheap per row), then the nodes they joined.
      const labels = [...LABELS, 'Alias'].map((l) => `n:${l}`).join(' OR ');
      await session.run(`MATCH (n)-[r]->() WHERE ${labels} CALL { WITH r DELETE r } IN TRANSACTIONS OF ${BATCH} ROWS`);
      await session.run(`MATCH (n) WHERE ${labels} CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF ${BATCH} ROWS`);
    } finally {
      await session.close();
    }
    this.cachedVersion = null;
  }

  /** The loaded version (read once per handle: a graph is swapped by re-import, then reconnect). */
  async version(): Promise<string> {
    if (this.cachedVersion) return this.cachedVersion;
    const stored = await this.storedVersion();
    if (!stored?.complete) {
      throw new CmtError('CMT_KG_INVALID', `Neo4j at ${this.uri} (database ${this.database}) holds no complete graph: run \`cmtmedqa kg import <dump> --neo4j ${this.uri}\``, { uri: this.uri });
    }
    this.cachedVersion = stored.version;
    return stored.version;
  }

  async lexicon(): Promise<LexiconEntry[]> {
    const out: LexiconEntry[] = [];
    const session = this.driver.session({ database: this.database, defaultAccessMode: neo4j.session.READ });
    try {
      // Streamed: ~42k rows for the full dump.
      const result = session.run('MATCH (a:Alias)-[:ALIAS_OF]->(e) RETURN a.norm AS term, e.name AS name, labels(e) AS labels');
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
    const rows = await this.run<{
      treated: number[];
      departments: Array<{ name: string; dep: string; ord: number }>;
      drugLinks: Array<{ name: string; c: number }>;
      diseaseLinks: Array<{ name: string; c: number }>;
    }>(
      `CALL {
         UNWIND range(0, size($pairs) - 1) AS i
         WITH i, $pairs[i] AS p
         OPTIONAL MATCH (d:Disease {name: p[1]})
         WITH i, d, p
         WHERE d IS NOT NULL AND EXISTS { MATCH (d)-[:common_drug|recommand_drug]->(:Drug {name: p[0]}) }
         RETURN collect(i) AS treated
       }
       CALL {
         UNWIND $departmentsOf AS n
         MATCH (:Disease {name: n})-[r:belongs_to]->(dep:Department)
         RETURN collect({name: n, dep: dep.name, ord: r.ord}) AS departments
       }
       CALL {
         UNWIND $drugs AS n
         MATCH (x:Drug {name: n})
         RETURN collect({name: n, c: COUNT { (x)<-[:common_drug|recommand_drug]-(:Disease) }}) AS drugLinks
       }
       CALL {
         UNWIND $diseases AS n
         MATCH (x:Disease {name: n})
         RETURN collect({name: n, c: COUNT { (x)-[:common_drug|recommand_drug]->(:Drug) }}) AS diseaseLinks
       }
       RETURN treated, departments, drugLinks, diseaseLinks`,
      {
        pairs: q.drugDisease,
        departmentsOf: [...new Set(q.departmentsOf)],
        drugs: [...new Set(q.drugLinks.drugs)],
        diseases: [...new Set(q.drugLinks.diseases)],
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
    return {
      treats,
      departments,
      drugLinks: {
        drugs: new Map(row.drugLinks.map((x) => [x.name, x.c])),
        diseases: new Map(row.diseaseLinks.map((x) => [x.name, x.c])),
      },
    };
  }

  /** Fuzzy lookup through the full-text index (names and aliases), best first. */
  async search(text: string, limit = 10): Promise<Array<{ name: string; type: EntityType; score: number }>> {
    const rows = await this.run<{ name: string; labels: string[]; score: number }>(
      `CALL db.index.fulltext.queryNodes($index, $q, {limit: $limit}) YIELD node, score
       RETURN node.name AS name, labels(node) AS labels, score`,
      { index: FULLTEXT_INDEX, q: escapeLucene(text), limit: neo4j.int(limit) },
    );
    return rows.map((r) => ({ name: r.name, type: r.labels.find((l) => (LABELS as string[]).includes(l)) as EntityType, score: r.score }));
  }

  async stats(): Promise<KgStats> {
    const version = await this.version();
    // Count-store lookups: one per label/type, all in one query.
    const parts = [
      ...LABELS.map((l) => `CALL { MATCH (n:${l}) RETURN count(n) AS n_${l} }`),
      ...RELATIONS.map((r) => `CALL { MATCH ()-[x:${r}]->() RETURN count(x) AS r_${r} }`),
      "CALL { MATCH ()-[x:ALIAS_OF {kind: 'alias'}]->() RETURN count(x) AS aliases }",
    ];
    const rows = await this.run<Record<string, number>>(`${parts.join('\n')}\nRETURN *`);
    const row = rows[0];
    const nodes: Record<string, number> = {};
    const relations: Record<string, number> = {};
    for (const l of LABELS) if (row[`n_${l}`] > 0) nodes[l] = row[`n_${l}`];
    for (const r of [...RELATIONS].sort()) if (row[`r_${r}`] > 0) relations[r] = row[`r_${r}`];
    return { version, nodes, relations, aliases: row.aliases };
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
