/**
 * How the matcher sees text: full-width ASCII → half-width, ideographic space → space,
 * ASCII upper → lower. A 1:1 map per UTF-16 code unit, so offsets into folded text are
 * offsets into the original. Lexicon terms (GraphPort.lexicon, Neo4j Alias.norm) use the same fold.
 */
export const FOLD: Uint16Array = (() => {
  const t = new Uint16Array(65536);
  for (let c = 0; c < 65536; c++) t[c] = c;
  for (let c = 0xff01; c <= 0xff5e; c++) t[c] = c - 0xfee0;
  t[0x3000] = 0x20;
  for (let c = 0x41; c <= 0x5a; c++) t[c] = c + 0x20;
  // Full-width capitals fold all the way to lower case.
  for (let c = 0xff21; c <= 0xff3a; c++) t[c] = c - 0xfee0 + 0x20;
  return t;
})();

export function foldTerm(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(FOLD[s.charCodeAt(i)]);
  return out;
}
