/**
 * Orders keys the way lmdb (ordered-binary keys) and MongoDB (simple collation) do: by their UTF-8
 * bytes, which is code-point order. JavaScript's `<` compares UTF-16 code units and would disagree
 * for characters above U+FFFF, so the in-memory adapter uses this instead.
 */
export function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
