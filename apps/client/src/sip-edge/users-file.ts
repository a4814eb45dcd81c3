import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '@p2psip/cli';
import { normalizeAor } from '@p2psip/identity';

/** One phone user the edge registers for: `<user@domain> <password> <identity-dir>`. */
export interface EdgeUser {
  readonly aor: string;
  readonly password: string;
  /** The user's enrolled identity (the edge signs the user's overlay registration with it). */
  readonly identityDir: string;
}

/**
 * Reads the users file: one user per line, whitespace-separated; `#` comments and blank lines
 * are skipped; relative identity dirs are taken from the file's own directory. Every problem
 * names its line.
 */
export async function readUsersFile(file: string): Promise<Map<string, EdgeUser>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --users ${file}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return parseUsers(text, path.dirname(file), file);
}

export function parseUsers(text: string, baseDir: string, name = 'users file'): Map<string, EdgeUser> {
  const users = new Map<string, EdgeUser>();
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    const where = `${name}:${index + 1}`;
    if (fields.length !== 3) {
      throw new UsageError(
        `${where}: want "<user@domain> <password> <identity-dir>", got ${fields.length} field(s)`,
      );
    }
    let aor: string;
    try {
      aor = normalizeAor(fields[0]);
    } catch (error) {
      throw new UsageError(`${where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (users.has(aor)) throw new UsageError(`${where}: ${aor} is listed twice`);
    users.set(aor, { aor, password: fields[1], identityDir: path.resolve(baseDir, fields[2]) });
  }
  if (users.size === 0) throw new UsageError(`${name} lists no users`);
  return users;
}
