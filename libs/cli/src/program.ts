import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors';

export interface ProgramInit {
  /** The bin name, e.g. `p2psip-enrollment`. */
  readonly name: string;
  readonly description: string;
  readonly version: string;
}

/** A commander program with the conventions every bin shares: --version, --help, errors on stderr. */
export function createProgram(init: ProgramInit): Command {
  return new Command(init.name)
    .description(init.description)
    .version(init.version, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show this help and exit')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
}

/** The version of an app: its package.json sits one level above both `src/` and `dist/`. */
export function appVersion(appDir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(appDir, '..', 'package.json'), 'utf8')) as {
    version?: string;
  };
  return manifest.version ?? '0.0.0';
}

/** Exit codes: 0 success, 1 the operation failed, 2 the command line was wrong. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * Runs a program and turns every outcome into an exit code, printing failures as one clear line
 * (or a JSON object when `--json` is on the command line) instead of a stack trace.
 */
export async function runProgram(program: Command, argv: readonly string[] = process.argv): Promise<number> {
  const json = argv.includes('--json');
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are "errors" to commander's exitOverride; they already printed.
      return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    const exitCode = error instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
    reportError(error, json);
    return exitCode;
  }
}

function reportError(error: unknown, json: boolean): void {
  const { code, message } = describe(error);
  if (json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  else process.stderr.write(`error: ${message}${code ? ` (${code})` : ''}\n`);
}

function describe(error: unknown): { code: string | undefined; message: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : undefined, message: error.message };
  }
  return { code: undefined, message: String(error) };
}

/** Prints a command's result: JSON (one line) with --json, else the human rendering. */
export function printResult<T>(result: T, options: { json?: boolean }, render: (result: T) => string): void {
  process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : `${render(result)}\n`);
}
