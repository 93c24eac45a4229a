/**
 * GraphPort over an in-memory KgGraph: the embedded backend's engine (snapshot.ts loads the
 * graph, this answers queries). Read-only; indexes are built once in the constructor.
 */
import type { KgGraph } from '../../schemas/kg.js';
import { countGraph } from './import/build.js';
import { TextMemo } from '../stages/normalise/memo.js';
import { foldTerm } from './fold.js';
import { MAX_LINKING_SYMPTOM_DEGREE, compareLexicon, type IndicationAnswer, type IndicationQuery, type GraphLookup, type GraphLookupResult, type GraphPort, type KgStats, type LexiconEntry } from './port.js';

export class MemoryGraph implements GraphPort {
  private readonly drugsOf = new Map<string, Set<string>>();
  /** drug → diseases that list it, with sources. */
  private readonly indicationsOf = new Map<string, Map<string, string[]>>();
  private readonly symptomsOf = new Map<string, Set<string>>();
  private readonly symptomDegree = new Map<string, number>();
  /** Specific departments (belongs_to ord ≥ 1) per disease. */
  private readonly childDepartments = new Map<string, Set<string>>();
  private readonly drugDegree = new Map<string, number>();
  private readonly diseaseDrugDegree = new Map<string, number>();
  private readonly departments = new Map<string, string[]>();
  private readonly diseases = new Set<string>();
  private readonly drugs = new Set<string>();
  private lexiconCache: LexiconEntry[] | null = null;

  constructor(
    private readonly graph: KgGraph,
    private readonly graphVersion: string,
  ) {
    for (const n of graph.nodes) {
      if (n.type === 'Disease') this.diseases.add(n.name);
      else if (n.type === 'Drug') this.drugs.add(n.name);
    }
    const deps = new Map<string, Array<[number, string]>>();
    for (const [rel, s, t, ord, sources] of graph.edges) {
      if (rel === 'has_symptom') {
        let set = this.symptomsOf.get(s);
        if (!set) this.symptomsOf.set(s, (set = new Set()));
        set.add(t);
        this.symptomDegree.set(t, (this.symptomDegree.get(t) ?? 0) + 1);
      }
      if (rel === 'belongs_to' && ord >= 1) {
        let set = this.childDepartments.get(s);
        if (!set) this.childDepartments.set(s, (set = new Set()));
        set.add(t);
      }
      if (rel === 'common_drug' || rel === 'recommand_drug') {
        let ind = this.indicationsOf.get(t);
        if (!ind) this.indicationsOf.set(t, (ind = new Map()));
        ind.set(s, [...new Set([...(ind.get(s) ?? []), ...sources])].sort());
        let set = this.drugsOf.get(s);
        if (!set) this.drugsOf.set(s, (set = new Set()));
        set.add(t);
        this.drugDegree.set(t, (this.drugDegree.get(t) ?? 0) + 1);
        this.diseaseDrugDegree.set(s, (this.diseaseDrugDegree.get(s) ?? 0) + 1);
      } else if (rel === 'belongs_to') {
        let list = deps.get(s);
        if (!list) deps.set(s, (list = []));
        list.push([ord, t]);
      }
    }
    for (const [s, list] of deps) {
      list.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
      this.departments.set(s, list.map((x) => x[1]));
    }
  }

  async version(): Promise<string> {
    return this.graphVersion;
  }

  async lexicon(): Promise<LexiconEntry[]> {
    if (!this.lexiconCache) {
      const out: LexiconEntry[] = [];
      for (const n of this.graph.nodes) {
        out.push({ term: foldTerm(n.name), name: n.name, type: n.type });
        for (const a of n.aliases) out.push({ term: foldTerm(a), name: n.name, type: n.type });
      }
      this.lexiconCache = dedupeSorted(out.sort(compareLexicon));
    }
    return this.lexiconCache;
  }

  async drugTreatsDisease(pairs: Array<[string, string]>): Promise<boolean[]> {
    return pairs.map(([drug, disease]) => this.drugsOf.get(disease)?.has(drug) ?? false);
  }

  async departmentsOf(diseases: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    for (const d of diseases) {
      const deps = this.departments.get(d);
      if (deps) out.set(d, [...deps]);
    }
    return out;
  }

  async lookup(q: GraphLookup): Promise<GraphLookupResult> {
    const drugs = new Map<string, number>();
    for (const d of q.drugLinks.drugs) if (this.drugs.has(d)) drugs.set(d, this.drugDegree.get(d) ?? 0);
    const diseases = new Map<string, number>();
    for (const d of q.drugLinks.diseases) if (this.diseases.has(d)) diseases.set(d, this.diseaseDrugDegree.get(d) ?? 0);
    return {
      treats: await this.drugTreatsDisease(q.drugDisease),
      departments: await this.departmentsOf(q.departmentsOf),
      drugLinks: { drugs, diseases },
      indications: (q.indications ?? []).map((x) => this.indicationAnswer(x)),
    };
  }

  /** Per drug, built on first use: its indications sorted, and symptom → / department → indications (shared, read-only). */
  private readonly drugIndex = new Map<string, { indications: IndicationAnswer['indications']; bySymptom: Map<string, string[]>; byDepartment: Map<string, string[]> }>();

  private indexOfDrug(drug: string) {
    let x = this.drugIndex.get(drug);
    if (x) return x;
    const ind = this.indicationsOf.get(drug);
    if (!ind) return undefined;
    const indications = [...ind.entries()].map(([disease, sources]) => ({ disease, sources })).sort((a, b) => cmpStr(a.disease, b.disease));
    const bySymptom = new Map<string, string[]>();
    const byDepartment = new Map<string, string[]>();
    for (const { disease } of indications) {
      for (const s of this.symptomsOf.get(disease) ?? []) {
        const l = bySymptom.get(s);
        if (l) l.push(disease);
        else bySymptom.set(s, [disease]);
      }
      for (const dep of this.childDepartments.get(disease) ?? []) {
        const l = byDepartment.get(dep);
        if (l) l.push(disease);
        else byDepartment.set(dep, [disease]);
      }
    }
    this.drugIndex.set(drug, (x = { indications, bySymptom, byDepartment }));
    return x;
  }

  /**
   * Answers by query (drug, symptoms, diseases): the same drug asked with the same conditions recurs
   * across batches (a dialogue's windows, common advice). A text memo like the stages' (bounded,
   * in the thread's shared budget, off with setTextMemos(false)); answers are shared read-only, as
   * the per-drug index already is.
   */
  private readonly answers = new TextMemo<IndicationAnswer>('kg.indications');

  private indicationAnswer(q: IndicationQuery): IndicationAnswer {
    const key = `${q.drug}\u0000${q.symptoms.join('\u0001')}\u0000${q.diseases.join('\u0001')}`;
    let a = this.answers.peek(key);
    if (a === undefined) this.answers.put(key, (a = this.answerOf(q)));
    return a;
  }

  private answerOf(q: IndicationQuery): IndicationAnswer {
    const idx = this.indexOfDrug(q.drug);
    if (!idx) return { indications: [], viaSymptom: [], viaDepartment: [] };
    const named = new Set(q.symptoms);
    // The symptoms that link: every one the dialogue names, and the specific ones of its diseases.
    const linking = new Set(q.symptoms);
    const dialogueDeps = new Set<string>();
    for (const d of q.diseases) {
      for (const s of this.symptomsOf.get(d) ?? []) if (!named.has(s) && (this.symptomDegree.get(s) ?? 0) <= MAX_LINKING_SYMPTOM_DEGREE) linking.add(s);
      for (const dep of this.childDepartments.get(d) ?? []) dialogueDeps.add(dep);
    }
    const viaSymptom: IndicationAnswer['viaSymptom'] = [];
    for (const s of linking) for (const disease of idx.bySymptom.get(s) ?? []) viaSymptom.push({ disease, symptom: s });
    const viaDepartment: IndicationAnswer['viaDepartment'] = [];
    for (const dep of dialogueDeps) for (const disease of idx.byDepartment.get(dep) ?? []) viaDepartment.push({ disease, department: dep });
    viaSymptom.sort((a, b) => cmpStr(a.disease, b.disease) || cmpStr(a.symptom, b.symptom));
    viaDepartment.sort((a, b) => cmpStr(a.disease, b.disease) || cmpStr(a.department, b.department));
    return { indications: idx.indications, viaSymptom, viaDepartment };
  }

  async stats(): Promise<KgStats> {
    const c = countGraph(this.graph);
    return { version: this.graphVersion, nodes: c.nodes, relations: c.relations, aliases: c.aliases, bySource: c.bySource };
  }

  async close(): Promise<void> {}
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Drops exact duplicate entries (two surfaces of one entity that fold to the same term). */
export function dedupeSorted(entries: LexiconEntry[]): LexiconEntry[] {
  const out: LexiconEntry[] = [];
  for (const e of entries) {
    const p = out[out.length - 1];
    if (p && p.term === e.term && p.type === e.type && p.name === e.name) continue;
    out.push(e);
  }
  return out;
}
