/**
 * A one-line progress bar with rate, redrawn in place on a terminal; silent when stderr is not a TTY
 * (CI logs, pipes) unless forced, so scripted runs stay clean.
 */
export class ProgressBar {
  private readonly started = process.hrtime.bigint();
  private lastDraw = 0;
  private readonly enabled: boolean;

  constructor(
    private readonly label: string,
    private total: bigint,
    options: { force?: boolean; disable?: boolean } = {},
  ) {
    this.enabled = !options.disable && (options.force === true || process.stderr.isTTY === true);
  }

  setTotal(total: bigint): void {
    this.total = total;
  }

  update(done: bigint, final = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!final && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    const rate = seconds > 0 ? Math.round(Number(done) / seconds) : 0;
    if (this.total === 0n) {
      // how far there is to go is not known (a log read from a store whose positions are not counts)
      process.stderr.write(`\r${this.label} ${done}  ${rate.toLocaleString('en')} events/s  `);
      return;
    }
    const fraction = this.total > 0n ? Number((done * 1000n) / this.total) / 1000 : 1;
    const width = 30;
    const filled = Math.min(width, Math.round(fraction * width));
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    process.stderr.write(
      `\r${this.label} ${bar} ${(fraction * 100).toFixed(1).padStart(5)}%  ${done}/${this.total}  ${rate.toLocaleString('en')} events/s  `,
    );
  }

  finish(done: bigint): void {
    this.update(done, true);
    if (this.enabled) process.stderr.write('\n');
  }
}
