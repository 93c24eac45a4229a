import * as OpenCC from 'opencc-js';
import zlib from 'node:zlib'; import fs from 'node:fs'; import path from 'node:path';
const conv = OpenCC.Converter({ from: 'tw', to: 'cn' });
const out = process.argv[2]; let n=0, recs=0; const chars=new Map(); const ex=[];
for (const split of fs.readdirSync(path.join(out,'shards'))) for (const f of fs.readdirSync(path.join(out,'shards',split))) {
  const lines = zlib.gunzipSync(fs.readFileSync(path.join(out,'shards',split,f))).toString('utf8').split('\n').filter(Boolean);
  for (const l of lines) { const r = JSON.parse(l); n++;
    const blob=[r.instruction,r.input,r.output,...r.history.flat()].join('\n'); const c=conv(blob);
    if (c!==blob) { recs++; let first=-1; for (let i=0;i<blob.length;i++) if (blob[i]!==c[i]) { chars.set(blob[i]+'>'+c[i],(chars.get(blob[i]+'>'+c[i])||0)+1); if(first<0) first=i; }
      if (ex.length<8) ex.push([r.id, blob.slice(Math.max(0,first-10), first+10).replace(/\n/g,'⏎')]); }
  } }
console.log(n,'records;',recs,'with chars OpenCC tw->cn changes'); console.log([...chars].sort((a,b)=>b[1]-a[1]).slice(0,30)); console.log(ex);
