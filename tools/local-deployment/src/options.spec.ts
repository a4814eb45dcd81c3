import path from 'node:path';
import { parseOptions } from './options';

describe('local deployment — options', () => {
  const root = path.join(path.sep, 'repo');

  it('defaults to a state dir under the repository, 5 peers and the p2psip.test overlay', () => {
    expect(parseOptions(['node', 'start'], root)).toEqual({
      stateDir: path.join(root, '.local-deployment'),
      overlay: 'p2psip.test',
      peers: 5,
      peersPerProcess: 8,
    });
  });

  it('takes --state-dir, --peers and --overlay', () => {
    const options = parseOptions(
      ['node', 'start', '--state-dir', 'x/y', '--peers', '12', '--overlay', 'demo.test'],
      root,
    );
    expect(options).toEqual({
      stateDir: path.resolve('x/y'),
      overlay: 'demo.test',
      peers: 12,
      peersPerProcess: 8,
    });
  });

  it('refuses a --peers value that is not a positive integer', () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      for (const bad of ['0', '-1', '2.5', 'many', '5000']) {
        expect(() => parseOptions(['node', 'start', '--peers', bad], root)).toThrow(
          /--peers must be an integer/,
        );
      }
    } finally {
      write.mockRestore();
    }
  });
});
