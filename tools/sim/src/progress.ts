import type { SimProgress } from './simulation';

const WIDTH = 30;
const REDRAW_WALL_MS = 250;
const CHECK_EVERY_STEPS = 2048;

/**
 * A progress bar on stderr: the phase, virtual time against the phase's end, live nodes and the
 * simulation speed. On a terminal it redraws one line; otherwise it prints a line per 10 %.
 */
export class ProgressBar {
  private steps = 0;
  private lastDraw = 0;
  private lastPhase = '';
  private lastDecile = -1;
  private readonly tty: boolean;
  private readonly startedWall = Date.now();

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  /** Called every time step; looks at the wall clock only every few thousand steps. */
  step(progress: () => SimProgress): void {
    if (!this.enabled || ++this.steps % CHECK_EVERY_STEPS !== 0) return;
    const now = Date.now();
    if (now - this.lastDraw < REDRAW_WALL_MS) return;
    this.lastDraw = now;
    this.draw(progress());
  }

  done(message: string): void {
    if (!this.enabled) return;
    if (this.tty) this.out.write('\r\x1b[K');
    this.out.write(`${message}\n`);
  }

  private draw(p: SimProgress): void {
    const changed = p.phase !== this.lastPhase;
    const phaseStart = this.phaseStart(p);
    const span = Math.max(1, p.endMs - phaseStart);
    const fraction = Math.min(1, Math.max(0, (p.virtualMs - phaseStart) / span));
    const filled = Math.round(fraction * WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
    const wallS = (Date.now() - this.startedWall) / 1000;
    const line =
      `${p.phase.padEnd(7)} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}%  ` +
      `virtual ${formatDuration(p.virtualMs)}  live ${p.live}  wall ${formatDuration(wallS * 1000)}`;
    if (this.tty) {
      this.out.write(`\r\x1b[K${line}`);
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (changed || decile !== this.lastDecile) this.out.write(`${line}\n`);
    this.lastDecile = decile;
  }

  private phaseStartMs = 0;

  private phaseStart(p: SimProgress): number {
    if (p.phase !== this.lastPhase) {
      this.lastPhase = p.phase;
      this.lastDecile = -1;
      this.phaseStartMs = p.virtualMs;
    }
    return this.phaseStartMs;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}m${String(sec).padStart(2, '0')}s`;
}
