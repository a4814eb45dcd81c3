import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireCommand } from '@p2psip/testing';
import type { ProcessGroup } from './processes';

export interface KamailioInit {
  readonly workDir: string;
  readonly port: number;
  readonly domain: string;
  /** The Digest password of every user (the edge's users file gives them the same). */
  readonly password: string;
  /** UDP worker processes. */
  readonly children: number;
}

export interface RunningKamailio {
  /** `127.0.0.1:<port>`, UDP and TCP. */
  readonly address: string;
  readonly logFile: string;
  /** Resolves once it answers OPTIONS promptly three times running (its queues are drained). */
  quiet(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Kamailio (Debian) as a plain registrar and proxy: the STACK.md recipe, plus Digest on REGISTER
 * (auth module, one password for every user, as the edge's users file has) so that both elements
 * run the same sipp scenario: REGISTER, 401, REGISTER with credentials, 200. Location in memory,
 * expired bindings purged every 5 s, expiries down to 1 s accepted (the new-binding scenario's 2 s).
 */
export function kamailioConfig(init: KamailioInit): string {
  const modules = [
    'kex',
    'corex',
    'tm',
    'sl',
    'rr',
    'pv',
    'maxfwd',
    'usrloc',
    'registrar',
    'textops',
    'siputils',
    'xlog',
    'sanity',
    'auth',
  ];
  return `#!KAMAILIO
debug=1
log_stderror=yes
children=${init.children}
listen=udp:127.0.0.1:${init.port}
listen=tcp:127.0.0.1:${init.port}
auto_aliases=no
alias="127.0.0.1:${init.port}"
alias="${init.domain}"
${modules.map((name) => `loadmodule "${name}.so"`).join('\n')}
modparam("usrloc", "db_mode", 0)
modparam("usrloc", "timer_interval", 5)
modparam("registrar", "min_expires", 1)
request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  if (!sanity_check("17895", "7")) exit;
  if (has_totag()) {
    if (loose_route()) { t_relay(); exit; }
    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
  }
  if (is_method("REGISTER")) {
    if (!pv_www_authenticate("$td", "${init.password}", "0")) { www_challenge("$td", "0"); exit; }
    consume_credentials();
    if (!save("location")) sl_reply_error();
    exit;
  }
  if (is_method("INVITE|SUBSCRIBE")) record_route();
  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
  if (!t_relay()) sl_reply_error();
  exit;
}
`;
}

/** Writes the config, checks it (`kamailio -c`), runs it in the foreground and waits until it answers. */
export async function startKamailio(init: KamailioInit, processes: ProcessGroup): Promise<RunningKamailio> {
  const bin = requireCommand('kamailio', 'kamailio');
  const configFile = path.join(init.workDir, 'kamailio.cfg');
  await writeFile(configFile, kamailioConfig(init));
  const check = spawn(bin, ['-c', '-f', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let checkOutput = '';
  check.stderr.on('data', (chunk: Buffer) => (checkOutput += chunk.toString()));
  const checked = await new Promise<number | null>((resolve) => check.once('exit', resolve));
  if (checked !== 0) throw new Error(`kamailio -c rejects ${configFile}:\n${checkOutput}`);

  const logFile = path.join(init.workDir, 'kamailio.log');
  const log = createWriteStream(logFile);
  // -DD: no daemon, but its workers; -E: log to stderr. Detached: it leads a process group, so
  // stopping the group takes its workers even when the main process is killed.
  // 1 GB of shared memory: at thousands of new bindings a second, expired ones wait for the
  // usrloc timer (every 5 s here) to be freed; with 128 MB it ran out and answered 500.
  const child = spawn(bin, ['-f', configFile, '-DD', '-E', '-m', '1024', '-w', init.workDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  processes.add(child, 'kamailio', true);
  const address = `127.0.0.1:${init.port}`;
  const deadline = Date.now() + 10_000;
  while (!(await answersOptions(init.port, init.domain))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await processes.stop(child);
      throw new Error(`kamailio did not answer on ${address}; see ${logFile}`);
    }
    await sleep(100);
  }
  const quiet = async (): Promise<void> => {
    const deadline = Date.now() + 60_000;
    for (let prompt = 0; prompt < 3 && Date.now() < deadline;) {
      prompt = (await answersOptions(init.port, init.domain, 100)) ? prompt + 1 : 0;
      await sleep(200);
    }
  };
  return { address, logFile, quiet, stop: () => processes.stop(child) };
}

/** True once something answers an OPTIONS on udp:127.0.0.1:<port> within `withinMs`. */
async function answersOptions(port: number, domain: string, withinMs = 300): Promise<boolean> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    const local = socket.address().port;
    const callId = `probe-${Date.now()}-${local}`;
    const request = [
      `OPTIONS sip:${domain} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK${callId}`,
      'Max-Forwards: 70',
      `From: <sip:probe@${domain}>;tag=${callId}`,
      `To: <sip:${domain}>`,
      `Call-ID: ${callId}`,
      'CSeq: 1 OPTIONS',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    const answered = new Promise<boolean>((resolve) => {
      socket.once('message', () => resolve(true));
      setTimeout(() => resolve(false), withinMs);
    });
    socket.send(request, port, '127.0.0.1');
    return await answered;
  } finally {
    socket.close();
  }
}
