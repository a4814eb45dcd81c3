import { EXIT_OK, EXIT_USAGE, runProgram } from '@p2psip/cli';
import { buildProgram } from './program';

function capture(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk) => (chunks.push(String(chunk)), true)),
  );
  return { text: () => chunks.join(''), restore: () => spies.forEach((spy) => spy.mockRestore()) };
}

describe('relay — command line', () => {
  it('describes the service in --help and exits 0', async () => {
    const output = capture();
    try {
      expect(await runProgram(buildProgram('1.0.0'), ['node', 'p2psip-relay', '--help'])).toBe(EXIT_OK);
    } finally {
      output.restore();
    }
    expect(output.text()).toContain('Usage: p2psip-relay');
    expect(output.text()).toContain('TURN');
  });

  it('prints usage and exits 2 when run without a command', async () => {
    const output = capture();
    try {
      expect(await runProgram(buildProgram('1.0.0'), ['node', 'p2psip-relay'])).toBe(EXIT_USAGE);
    } finally {
      output.restore();
    }
    expect(output.text()).toContain('Usage: p2psip-relay');
  });
});
