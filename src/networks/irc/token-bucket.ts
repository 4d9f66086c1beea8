/**
 * The pacing of one IRC connection: a token bucket holding up to `burst` lines that refills at
 * `linesPerSecond`. It mirrors how servers count (Solanum's burst then 2 lines/s, InspIRCd's penalty
 * threshold and command rate), so staying inside the bucket keeps the bot clear of "Excess Flood".
 * Lines the bot cannot hold back (PONG, CAP, SASL written by the library) are charged anyway and may take
 * the bucket below zero, delaying what comes next. A line may ask for tokens to be kept: the pacer keeps one
 * in reserve for the urgent lane, so a reply never waits a whole pacing slot behind bulk work.
 */
const EPSILON = 1e-9;

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly burst: number,
    private readonly linesPerSecond: number,
    private readonly now: () => number,
  ) {
    if (!(burst >= 1) || !(linesPerSecond > 0))
      throw new Error(
        `token bucket needs burst >= 1 and linesPerSecond > 0 (got ${burst}, ${linesPerSecond})`,
      );
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Tokens available now (may be negative after charges). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes `cost` tokens if they are there, and `keep` more would be left (the urgent lane's reserve). */
  tryTake(cost = 1, keep = 0): boolean {
    this.refill();
    if (this.tokens + EPSILON < cost + keep) return false;
    this.tokens -= cost;
    return true;
  }

  /** Counts a line that went out regardless (written by the library); the bucket may go negative. */
  charge(cost = 1): void {
    this.refill();
    this.tokens -= cost;
  }

  /** Milliseconds until `cost` tokens are available (0 when they are now). */
  msUntil(cost = 1): number {
    this.refill();
    const missing = cost - this.tokens;
    return missing <= EPSILON ? 0 : Math.ceil((missing * 1000) / this.linesPerSecond);
  }

  /** A new connection starts with a fresh allowance on the server, so the bucket starts full again. */
  refillFully(): void {
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.linesPerSecond) / 1000);
    this.updatedAt = now;
  }
}
