/**
 * The rejects pages of `cmtmedqa dashboard`: browse the rejects of finished outputs, filter by
 * reason, stage and source, open one reject with its evidence and input, and jump to its
 * dialogue's `explain` story. Server-rendered HTML, GET only: it reads output directories and
 * never changes them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import express from 'express';
import { REJECT_REASONS, type Reject, type RejectReason } from '../../schemas/reject.js';
import { isCmtError } from '../core/errors.js';
import { explain, renderStory } from './explain.js';
import { readRejects, rejectStats, type RejectFilter } from './rejects.js';
import { escapeHtml as esc } from '../output/html.js';

const PAGE = 100;


/** Output directories under the given paths: a path holding rejects/rejects.jsonl, or its subfolders (and their runs/latest) that do. */
export function findOutputs(roots: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const has = (d: string) => existsSync(path.join(d, 'rejects', 'rejects.jsonl'));
  for (const root of roots) {
    if (has(root)) {
      out.set(path.basename(path.resolve(root)), root);
      continue;
    }
    if (!existsSync(root) || !statSync(root).isDirectory()) continue;
    for (const e of readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!e.isDirectory()) continue;
      const d = path.join(root, e.name);
      if (has(d)) out.set(e.name, d);
      else if (has(path.join(d, 'runs', 'latest'))) out.set(`${e.name}/latest`, path.join(d, 'runs', 'latest'));
    }
  }
  return out;
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;margin:1.5rem;color:#222}nav a{margin-right:1rem}
table{border-collapse:collapse;font-size:.85rem;width:100%}td,th{border:1px solid #ddd;padding:.25rem .4rem;text-align:left;vertical-align:top}
tr:nth-child(even){background:#fafafa}form{margin:1rem 0}select,button{margin-right:.5rem}pre{white-space:pre-wrap;word-break:break-all;background:#f6f6f6;padding:.6rem}
.count{color:#555}code{font-size:.85rem}
</style></head><body><nav><a href="/">queues (Bull Board)</a><a href="/rejects">rejects</a></nav>${body}</body></html>`;
}

const options = (name: string, label: string, values: Array<[string, string]>, selected?: string) =>
  `<label>${esc(label)} <select name="${name}" id="f-${name}"><option value="">(any)</option>${values.map(([v, t]) => `<option value="${esc(v)}"${v === selected ? ' selected' : ''}>${esc(t)}</option>`).join('')}</select></label>`;

export function rejectsRouter(roots: string[]): express.Router {
  const router = express.Router();
  const resolve = (req: express.Request): { outputs: Map<string, string>; name: string; dir: string } | undefined => {
    const outputs = findOutputs(roots);
    const want = typeof req.query.out === 'string' ? req.query.out : undefined;
    const name = want && outputs.has(want) ? want : [...outputs.keys()][0];
    return name === undefined ? undefined : { outputs, name, dir: outputs.get(name)! };
  };
  const none = (res: express.Response) => res.status(404).type('html').send(page('no outputs', `<p>No output directory with rejects under ${esc(roots.join(', '))}: run a pipeline first (npx cmtmedqa run …) or start the dashboard with --out DIR.</p>`));
  const q = (o: Record<string, string | number | undefined>) => `?${new URLSearchParams(Object.entries(o).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)])).toString()}`;

  router.get('/rejects', async (req, res, next) => {
    try {
      const at = resolve(req);
      if (!at) return none(res);
      const str = (k: string) => (typeof req.query[k] === 'string' && req.query[k] ? (req.query[k] as string) : undefined);
      const f: RejectFilter = { reason: str('reason'), stage: str('stage'), source: str('source') };
      const offset = Math.max(0, parseInt(str('offset') ?? '0', 10) || 0);
      const all = await rejectStats(at.dir);
      const rows: Reject[] = [];
      let n = 0;
      for await (const r of readRejects(at.dir, f)) {
        if (n >= offset && n < offset + PAGE) rows.push(r);
        n++;
      }
      const formats = [...new Set(Object.keys(all.bySource).map((k) => k.split(':')[0]))].sort();
      const files = [...new Set(Object.keys(all.bySource).map((k) => k.slice(k.indexOf(':') + 1)))].sort();
      const form = `<form method="get" action="/rejects" id="filters">
${options('out', 'output', [...at.outputs.keys()].map((k) => [k, k]), at.name)}
${options('reason', 'reason', Object.entries(all.byReason).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, `${k} (${v})`]), f.reason)}
${options('stage', 'stage', Object.entries(all.byStage).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, `${k} (${v})`]), f.stage)}
${options('source', 'source', [...formats.map((k): [string, string] => [k, k]), ...files.map((k): [string, string] => [k, `file ${k}`])], f.source)}
<button type="submit">filter</button></form>`;
      const body = rows.map((r) => `<tr data-reason="${esc(r.reason)}" data-stage="${esc(r.stage)}" data-source="${esc(r.origin.format)}">
<td><a href="/rejects/${esc(r.id)}${q({ out: at.name })}"><code>${esc(r.id.slice(0, 12))}</code></a></td><td>${esc(r.reason)}</td><td>${esc(r.stage)}</td>
<td>${esc(`${r.origin.format}:${r.origin.file}#${r.origin.sourceId}`)}</td><td>${esc(r.detail.length > 160 ? `${r.detail.slice(0, 160)}…` : r.detail)}</td>
<td><a href="/explain/${esc(r.dialogueId ?? r.id)}${q({ out: at.name })}">explain</a></td></tr>`).join('\n');
      const more = n > offset + PAGE ? ` <a id="next" href="/rejects${q({ ...f, out: at.name, offset: offset + PAGE })}">next ${PAGE}</a>` : '';
      res.type('html').send(page(`rejects: ${at.name}`, `<h1>Rejects of ${esc(at.name)}</h1>${form}
<p class="count" id="count">${rows.length ? `${offset + 1}–${offset + rows.length}` : '0'} of ${n} matching rejects (${all.total} in this output)${more}</p>
<table id="rejects"><thead><tr><th>id</th><th>reason</th><th>stage</th><th>source</th><th>detail</th><th></th></tr></thead><tbody>
${body}
</tbody></table>`));
    } catch (e) {
      if (isCmtError(e) && e.code === 'CMT_USAGE') res.status(400).type('html').send(page('bad filter', `<p>${esc(e.message)}</p>`));
      else next(e);
    }
  });

  router.get('/rejects/:id', async (req, res, next) => {
    try {
      const at = resolve(req);
      if (!at) return none(res);
      let found: Reject | undefined;
      for await (const r of readRejects(at.dir)) if (r.id === req.params.id) {
        found = r;
        break;
      }
      if (!found) return res.status(404).type('html').send(page('not found', `<p>no reject ${esc(req.params.id)} in ${esc(at.name)}</p>`));
      const r = found;
      const input = typeof r.input === 'string' ? r.input : JSON.stringify(r.input, null, 2);
      res.type('html').send(page(`reject ${r.id}`, `<h1>Reject <code>${esc(r.id)}</code></h1>
<table id="reject"><tbody>
<tr><th>reason</th><td>${esc(r.reason)} — ${esc(REJECT_REASONS[r.reason as RejectReason] ?? '')}</td></tr>
<tr><th>stage</th><td>${esc(r.stage)}</td></tr>
<tr><th>detail</th><td>${esc(r.detail)}</td></tr>
<tr><th>origin</th><td>${esc(`${r.origin.format} ${r.origin.file} · source id ${r.origin.sourceId} · entry #${r.origin.position}${r.origin.window !== undefined ? ` · window ${r.origin.window}` : ''}`)}${r.origin.url ? ` · ${esc(r.origin.url)}` : ''}</td></tr>
<tr><th>dialogue</th><td>${r.dialogueId ? `<code>${esc(r.dialogueId)}</code>` : '(none: the input never became a dialogue)'}</td></tr>
</tbody></table>
<p><a id="explain" href="/explain/${esc(r.dialogueId ?? r.id)}${q({ out: at.name })}">explain this dialogue</a> · <code>npx cmtmedqa explain ${esc(at.dir)} ${esc(r.dialogueId ?? r.id)}</code></p>
<h2>evidence</h2><pre id="evidence">${esc(r.evidence === undefined ? '(none)' : JSON.stringify(r.evidence, null, 2))}</pre>
<h2>input</h2><pre id="input">${esc(input)}</pre>`));
    } catch (e) {
      next(e);
    }
  });

  router.get('/explain/:id', async (req, res, next) => {
    try {
      const at = resolve(req);
      if (!at) return none(res);
      const story = await explain(at.dir, req.params.id);
      res.status(story.dialogues.length ? 200 : 404).type('html').send(page(`explain ${req.params.id}`, `<h1>explain <code>${esc(req.params.id)}</code> in ${esc(at.name)}</h1><pre id="story">${esc(renderStory(story, 140))}</pre>`));
    } catch (e) {
      next(e);
    }
  });
  // A damaged output (CMT_OUTPUT_INVALID …) or any other failure: the code and what to do, as the
  // CLI prints it; never Express's default page, which shows the stack.
  router.use((e: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const msg = isCmtError(e) ? `error ${e.code}: ${e.message}` : `error: ${e instanceof Error ? e.message : String(e)}`;
    res.status(500).type('html').send(page('error', `<p id="error">${esc(msg)}</p>`));
  });
  return router;
}
