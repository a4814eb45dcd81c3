import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MAX_KNOWN = 10;
const ADDRESS = /^[^\s:]+:\d{1,5}$/;

/**
 * Addresses of peers this process was linked to (RFC 6940 §11.4 suggests about ten), kept on disk
 * so a restarted peer rejoins even when no bootstrap service answers.
 */
export class KnownPeers {
  constructor(private readonly file: string) {}

  async load(): Promise<string[]> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as unknown;
      return Array.isArray(parsed)
        ? parsed.filter((entry): entry is string => typeof entry === 'string' && ADDRESS.test(entry))
        : [];
    } catch {
      return [];
    }
  }

  async save(addresses: readonly string[], exclude: ReadonlySet<string>): Promise<void> {
    const unique = [
      ...new Set(addresses.filter((address) => ADDRESS.test(address) && !exclude.has(address))),
    ].slice(0, MAX_KNOWN);
    if (unique.length === 0) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(unique, null, 2)}\n`);
    await rename(temporary, this.file);
  }
}
