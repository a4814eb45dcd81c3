import { connect } from 'node:net';
import { RelayCheckError } from '../errors';

/**
 * Reads a coturn's load from its telnet CLI: log in, `ps`, parse "Total sessions: N". The Debian
 * build has no Prometheus exporter; the CLI is the one load report it offers. Bandwidth is not in
 * `ps` totals, so it stays unknown (0).
 */
export function readCoturnSessions(init: {
  host: string;
  port: number;
  password: string;
  timeoutMs: number;
}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: init.host, port: init.port });
    let text = '';
    let step: 'login' | 'auth' | 'ps' | 'done' = 'login';
    const fail = (why: string): void => {
      if (step === 'done') return;
      step = 'done';
      socket.destroy();
      reject(new RelayCheckError('CLI_FAILED', `coturn CLI ${init.host}:${init.port}: ${why}`));
    };
    const timer = setTimeout(() => fail(`no answer within ${init.timeoutMs} ms`), init.timeoutMs);
    socket.on('error', (error) => (clearTimeout(timer), fail(error.message)));
    socket.on('close', () => (clearTimeout(timer), fail('closed the connection')));
    socket.on('data', (chunk) => {
      text += chunk.toString('utf8');
      // coturn reads one line per prompt: the password after its prompt, then `ps` at the `>` prompt.
      if (step === 'login' && text.includes('Enter password:')) {
        step = 'auth';
        text = '';
        socket.write(`${init.password}\n`);
        return;
      }
      if (step === 'auth' && text.includes('>')) {
        step = 'ps';
        text = '';
        socket.write('ps\n');
        return;
      }
      const total = /Total sessions:\s*(\d+)/.exec(text);
      if (step === 'ps' && total?.[1] !== undefined) {
        step = 'done';
        clearTimeout(timer);
        socket.end('quit\n');
        resolve(Number(total[1]));
      }
    });
  });
}
