import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { binPath, repoRoot } from '@p2psip/testing';

interface LintMessage {
  ruleId: string | null;
  message: string;
}

// Lints a throw-away source file inside a project with the repository's real ESLint config.
function lintProbe(project: string, source: string): LintMessage[] {
  const file = path.join(repoRoot(), project, 'src', `boundary-probe-${process.pid}.ts`);
  writeFileSync(file, source);
  try {
    const graph = spawnSync(binPath('nx'), ['show', 'projects'], {
      cwd: repoRoot(),
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    expect(graph.status).toBe(0);
    const result = spawnSync(binPath('eslint'), ['--format', 'json', file], {
      cwd: repoRoot(),
      encoding: 'utf8',
    });
    const [report] = JSON.parse(result.stdout) as { messages: LintMessage[] }[];
    return report?.messages ?? [];
  } finally {
    rmSync(file, { force: true });
  }
}

function boundaryErrors(messages: LintMessage[]): string[] {
  return messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('e2e — module boundaries are enforced by lint', () => {
  it('fails a lib that imports an app', () => {
    const messages = lintProbe('libs/telemetry', "import '@p2psip/client-app';\n");
    // Nx reports the first rule the import breaks: "Imports of apps are forbidden", or, when the
    // app already depends on this lib, the circular dependency through the app.
    expect(boundaryErrors(messages).join('\n')).toMatch(
      /Imports of apps are forbidden|Circular dependency between "telemetry" and "client"/,
    );
  });

  it('fails a lib that reaches into an app by a relative path', () => {
    const messages = lintProbe(
      'libs/cli',
      "export { buildProgram } from '../../../apps/client/src/program';\n",
    );
    expect(boundaryErrors(messages).join('\n')).toMatch(/relative or absolute path/);
  });

  it('fails a domain lib that imports an adapter lib', () => {
    const messages = lintProbe('libs/identity', "export { createLogger } from '@p2psip/telemetry';\n");
    expect(boundaryErrors(messages).join('\n')).toMatch(/type:domain/);
  });

  it('lets an app import a shared lib', () => {
    const messages = lintProbe('apps/peer', "export { idToHex } from '@p2psip/identity';\n");
    expect(boundaryErrors(messages)).toEqual([]);
  });
});
