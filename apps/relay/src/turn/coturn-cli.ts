import { connect } from 'node:net';
import { RelayCheckError } from '../errors';

/** What coturn's CLI says about its load. */
export interface CoturnLoad {
  /** "Total sessions: N" — active allocations. */
  readonly sessions: number;
  /** The sum of every session's "rate: … total=N (bytes per sec)", as bits per second. */
  readonly bandwidthBps: number;
}

/**
 * Reads a coturn's load from its telnet CLI: log in, `ps`, parse "Total sessions: N" and each
 * session's current rate. The Debian build has no Prometheus exporter; the CLI is the one load
 * report it offers.
 */
export function readCoturnSessions(init: {
  host: string;
  port: number;
  password: string;
  timeoutMs: number;
}): Promise<CoturnLoad> {
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
        resolve({ sessions: Number(total[1]), bandwidthBps: 8 * sessionRates(text) });
      }
    });
  });
}

/** Bytes per second over every session `ps` listed ("rate: r=…, s=…, total=N (bytes per sec)"). */
export function sessionRates(psOutput: string): number {
  let sum = 0;
  for (const match of psOutput.matchAll(/rate: r=\d+, s=\d+, total=(\d+) \(bytes per sec\)/g)) {
    sum += Number(match[1]);
  }
  return sum;
}
