/** Module hooks for start-up tests: reports every npm package a process resolves (one line each, on stderr). */
export async function resolve(specifier: string, context: unknown, next: (s: string, c: unknown) => Promise<{ url: string }>): Promise<{ url: string }> {
  const r = await next(specifier, context);
  const m = /node_modules\/((@[^/]+\/)?[^/]+)\//.exec(r.url);
  if (m) process.stderr.write(`PKG ${m[1]}\n`);
  return r;
}
