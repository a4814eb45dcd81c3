// Settings are stored as canonical JSON text (object keys sorted) in every adapter. That gives one
// meaning to "deep-equals" in compareAndSetSetting — JSON equality, key order ignored — and lets
// MongoDB compare with a plain equality filter, which would otherwise be key-order sensitive.

/** The canonical JSON text of a setting value; throws TypeError for values JSON cannot hold. */
export function canonicalJson(value: unknown): string {
  const json = JSON.stringify(value, (_key, nested: unknown) =>
    isObject(nested) ? sortedKeys(nested) : nested,
  );
  if (typeof json !== 'string') throw new TypeError('a setting value must be representable as JSON');
  return json;
}

/** A fresh value from stored JSON text (every read hands out a new copy). */
export function parseSetting<T>(json: string): T {
  return JSON.parse(json) as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sortedKeys(object: Record<string, unknown>): Record<string, unknown> {
  // fromEntries defines own properties; assigning would turn a "__proto__" key into a prototype
  // change and silently drop it (found by the property test).
  return Object.fromEntries(
    Object.keys(object)
      .sort()
      .map((key) => [key, object[key]]),
  );
}
