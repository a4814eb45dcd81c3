import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes a file atomically (temp file + rename), creating its folder; `secret` makes it 0600. */
export async function writeStateFile(
  file: string,
  content: string | Uint8Array,
  options: { secret?: boolean } = {},
): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, content, { mode: options.secret ? 0o600 : 0o644 });
  await rename(temporary, file);
}

export async function readJsonFile<T>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new StateError(
      `cannot read ${what} at ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      { cause },
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new StateError(`${what} at ${file} is not valid JSON`, { cause });
  }
}

export async function readTextFile(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (cause) {
    throw new StateError(
      `cannot read ${what} at ${file}: ${(cause as NodeJS.ErrnoException).code ?? String(cause)}`,
      { cause },
    );
  }
}

/** The state dir is missing, incomplete or damaged. */
export class StateError extends Error {
  readonly code = 'STATE';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
