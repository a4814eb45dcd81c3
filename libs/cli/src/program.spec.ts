import { integerArgument, portArgument } from './arguments';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, createProgram, runProgram } from './program';
import { UsageError } from './errors';

function captureOutput(): { stdout: string[]; stderr: string[]; restore(): void } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const out = jest
    .spyOn(process.stdout, 'write')
    .mockImplementation((chunk) => (stdout.push(String(chunk)), true));
  const err = jest
    .spyOn(process.stderr, 'write')
    .mockImplementation((chunk) => (stderr.push(String(chunk)), true));
  return { stdout, stderr, restore: () => (out.mockRestore(), err.mockRestore()) };
}

function testProgram(action: () => Promise<void>) {
  const program = createProgram({ name: 'demo', description: 'a demo', version: '1.2.3' });
  program.configureOutput({
    writeOut: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
  });
  program.command('go').option('--json').action(action);
  return program;
}

describe('cli — program conventions', () => {
  it('prints the version and help with exit code 0', async () => {
    const output = captureOutput();
    try {
      expect(
        await runProgram(
          testProgram(async () => {}),
          ['node', 'demo', '--version'],
        ),
      ).toBe(EXIT_OK);
      expect(
        await runProgram(
          testProgram(async () => {}),
          ['node', 'demo', '--help'],
        ),
      ).toBe(EXIT_OK);
    } finally {
      output.restore();
    }
    expect(output.stdout.join('')).toContain('1.2.3');
    expect(output.stdout.join('')).toContain('a demo');
  });

  it('exits 2 on an unknown option or a UsageError, 1 on a failure', async () => {
    const output = captureOutput();
    try {
      expect(
        await runProgram(
          testProgram(async () => {}),
          ['node', 'demo', 'go', '--nope'],
        ),
      ).toBe(EXIT_USAGE);
      const usage = testProgram(() => Promise.reject(new UsageError('bad id')));
      expect(await runProgram(usage, ['node', 'demo', 'go'])).toBe(EXIT_USAGE);
      const failing = testProgram(() =>
        Promise.reject(Object.assign(new Error('no route'), { code: 'NOT_FOUND' })),
      );
      expect(await runProgram(failing, ['node', 'demo', 'go', '--json'])).toBe(EXIT_FAILURE);
    } finally {
      output.restore();
    }
    expect(output.stderr.join('')).toContain('error: bad id (USAGE)');
    expect(JSON.parse(output.stdout.at(-1) ?? '{}')).toEqual({
      error: { code: 'NOT_FOUND', message: 'no route' },
    });
  });
});

describe('cli — argument parsers', () => {
  it('accepts integers in range and refuses the rest', () => {
    expect(portArgument('0')).toBe(0);
    expect(portArgument('65535')).toBe(65535);
    for (const bad of ['-1', '65536', '1.5', 'http']) expect(() => portArgument(bad)).toThrow(/0\.\.65535/);
    expect(integerArgument(100)('250')).toBe(250);
    expect(() => integerArgument(100)('99')).toThrow('expected an integer ≥ 100');
  });
});
