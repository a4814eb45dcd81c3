import { type Socket, connect } from 'node:net';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type AppProcess, freeTcpUdpPort, requireCommand, spawnApp, unusedTcpPort } from '@p2psip/testing';

// baresip 1.0.0 (Debian `baresip-core`) as an unmodified phone, run headless:
//
// - `-f <dir>` reads `config` and `accounts` from a dir of our own (it would otherwise write
//   templates into ~/.baresip that load ALSA and the stdio UI).
// - No sound card: `aubridge` is both the audio source and the player (what the player is given
//   comes back as the source), so the call's RTP streams start without a device. `ausine` and
//   `aufile` are sources only, and 1.0.0 ships no null player.
// - No UI module: `stdio` wants a terminal on stdin (epoll on /dev/null fails). The phone is
//   driven through `ctrl_tcp` instead: netstring-framed JSON commands
//   (`{"command":"dial","params":"sip:…","token":"…"}` → `{"response":true,"ok":…,"data":…}`) and
//   events (`{"event":true,"type":"CALL_ESTABLISHED",…}`) on a loopback TCP port. `menu` must be
//   loaded: it is what registers the `dial`, `hangup` and `quit` commands.
// - `net_interface 127.0.0.1` keeps the SDP on loopback (an interface *name* such as `lo` fails:
//   libre skips loopback interfaces when it looks one up by name).
// - `-s` prints every SIP message it sends and receives on stdout (ANSI-coloured), for failures.
// - The account goes through an outbound proxy (the edge's UDP listener): the AOR's domain has
//   no DNS records, and `outbound=` makes REGISTER, INVITE and in-dialog requests use it as a
//   loose route (without `sipnat=outbound`, which would ask for RFC 5626 flows).
//   Registration starts on its own at start-up; `regint` is its Expires.

/** A ctrl_tcp event (the fields baresip 1.0.0 sends; `id` is the call's, `param` a reason/URI). */
export interface BaresipEvent {
  readonly type: string;
  readonly class?: string;
  readonly accountaor?: string;
  readonly direction?: string;
  readonly peeruri?: string;
  readonly id?: string;
  readonly param?: string;
}

export interface BaresipInit {
  /** Work dir for `config`, `accounts` and baresip's own state (uuid, contacts). */
  readonly dir: string;
  /** The account, e.g. `sip:alice@p2psip.test`. */
  readonly aor: string;
  /** Digest password (the user name is the AOR's user part). */
  readonly password: string;
  /** `host:port` of the registrar/proxy, over UDP. */
  readonly outboundProxy: string;
  /** REGISTER Expires, s. @default 300 */
  readonly registerIntervalS?: number;
  /** @default 20 s */
  readonly readyTimeoutMs?: number;
}

const NETSTRING_COLON = 0x3a;

/** A running baresip and its ctrl_tcp connection; every event since connecting is kept. */
export class Baresip {
  readonly events: BaresipEvent[] = [];
  private readonly eventWaiters = new Set<(event: BaresipEvent) => void>();
  private readonly replies = new Map<string, (reply: { ok: boolean; data: string }) => void>();
  private nextToken = 1;
  private received = Buffer.alloc(0);

  private constructor(
    readonly app: AppProcess,
    /** The UDP/TCP port baresip's SIP stack listens on (127.0.0.1). */
    readonly sipPort: number,
    private readonly control: Socket,
  ) {
    control.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  static async start(init: BaresipInit): Promise<Baresip> {
    const bin = requireCommand('baresip', 'baresip-core');
    // baresip listens for SIP on UDP and TCP at the same port.
    const sipPort = await freeTcpUdpPort();
    const controlPort = await unusedTcpPort();
    await writeFile(path.join(init.dir, 'config'), baresipConfig(sipPort, controlPort));
    await writeFile(
      path.join(init.dir, 'accounts'),
      `<${init.aor}>;auth_pass=${init.password};outbound="sip:${init.outboundProxy};transport=udp";` +
        `regint=${init.registerIntervalS ?? 300}\n`,
    );
    const app = await spawnApp(bin, {
      args: ['-f', init.dir, '-s'],
      cwd: init.dir,
      readyWhen: (line) => line.includes('baresip is ready.'),
      readyTimeoutMs: init.readyTimeoutMs ?? 20_000,
    });
    try {
      const control = await new Promise<Socket>((resolve, reject) => {
        const socket = connect({ host: '127.0.0.1', port: controlPort });
        socket.once('connect', () => resolve(socket));
        socket.once('error', reject);
      });
      return new Baresip(app, sipPort, control);
    } catch (error) {
      await app.stop();
      throw new Error(
        `baresip's ctrl_tcp (port ${controlPort}): ${(error as Error).message}\n${plainOutput(app)}`,
      );
    }
  }

  /** Runs a command (`dial`, `hangup` …); resolves with its text, rejects when baresip refuses it. */
  command(command: string, params?: string, timeoutMs = 10_000): Promise<string> {
    const token = String(this.nextToken++);
    const json = Buffer.from(JSON.stringify({ command, ...(params === undefined ? {} : { params }), token }));
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(token);
        reject(new Error(`baresip: no answer to ${command} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.replies.set(token, ({ ok, data }) => {
        clearTimeout(timer);
        if (ok) resolve(data);
        else reject(new Error(`baresip refused ${command} ${params ?? ''}: ${data}`));
      });
      this.control.write(Buffer.concat([Buffer.from(`${json.length}:`), json, Buffer.from(',')]));
    });
  }

  /** The first event (already seen or to come) that matches. */
  waitForEvent(
    match: (event: BaresipEvent) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<BaresipEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise<BaresipEvent>((resolve, reject) => {
      const waiter = (event: BaresipEvent): void => {
        if (!match(event)) return;
        clearTimeout(timer);
        this.eventWaiters.delete(waiter);
        resolve(event);
      };
      const timer = setTimeout(() => {
        this.eventWaiters.delete(waiter);
        reject(
          new Error(
            `baresip: no ${what} within ${timeoutMs} ms; events: ${this.events.map((e) => e.type).join(' ') || 'none'}`,
          ),
        );
      }, timeoutMs);
      this.eventWaiters.add(waiter);
    });
  }

  /** Its output without colour codes: the SIP trace and its own log. */
  output(): string {
    return plainOutput(this.app);
  }

  /** `quit` through ctrl_tcp (it unregisters and ends calls), SIGTERM when that does not work. */
  async stop(): Promise<void> {
    if (this.app.child.exitCode === null && this.app.child.signalCode === null) {
      await this.command('quit', undefined, 3000).catch(() => undefined);
      const exited = await Promise.race([
        this.app.exited().then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000).unref()),
      ]);
      if (!exited) await this.app.stop(2000);
    }
    this.control.destroy();
  }

  private onData(chunk: Buffer): void {
    this.received = Buffer.concat([this.received, chunk]);
    for (;;) {
      const colon = this.received.indexOf(NETSTRING_COLON);
      if (colon < 0) return;
      const length = Number(this.received.subarray(0, colon).toString('latin1'));
      const end = colon + 1 + length;
      if (this.received.length < end + 1) return;
      const message = JSON.parse(this.received.subarray(colon + 1, end).toString('utf8')) as {
        event?: boolean;
        response?: boolean;
        ok?: boolean;
        data?: string;
        token?: string;
      } & BaresipEvent;
      this.received = this.received.subarray(end + 1);
      if (message.response) {
        const reply = this.replies.get(message.token ?? '');
        this.replies.delete(message.token ?? '');
        reply?.({ ok: message.ok === true, data: message.data ?? '' });
      } else if (message.event) {
        this.events.push(message);
        for (const waiter of [...this.eventWaiters]) waiter(message);
      }
    }
  }
}

function baresipConfig(sipPort: number, controlPort: number): string {
  return [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    'net_interface 127.0.0.1',
    'call_local_timeout 30',
    'call_max_calls 1',
    'audio_player aubridge,nil',
    'audio_source aubridge,nil',
    'audio_alert aubridge,nil',
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    'module aubridge.so',
    'module_tmp account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${controlPort}`,
    // menu otherwise redraws a call-status line many times a second.
    'statmode_default off',
    '',
  ].join('\n');
}

function plainOutput(app: AppProcess): string {
  return app.output.map((line) => line.replace(/\u001b\[[0-9;]*m/g, '')).join('\n');
}
