/**
 * Two real firebell processes with one configuration on one PostgreSQL database (docs/deployment.md): one
 * holds the lease and talks on the networks, the other stands by. The harness's faults go to the active
 * one (the one whose log last said it took over the lease); the one stopped, killed or fenced is started
 * again, as the standby, so that there are always two.
 */
import { SoakedFirebell, type ProcessCrash, type SoakedFirebellOptions } from './soaked-firebell.js';

/** The process's exit code when it lost its lease (src/cli.ts). */
const LEASE_LOST_EXIT = 3;

export class SoakedPair {
  private readonly instances: SoakedFirebell[];
  /** Per instance, when its log last said it took over the lease (0: never, since its start). */
  private readonly tookOverAt: number[] = [0, 0];
  private readonly paused = new Set<SoakedFirebell>();
  private stopping = false;

  /**
   * `onLeaseLost`: an active instance exited with code 3 by itself (no renewal within the lease on a loaded
   * machine): what docs/deployment.md says it does, not a crash; like its supervisor (systemd's
   * `Restart=always`, `RestartSec=1`), the pair starts it again a second later, as the standby.
   */
  constructor(
    configDir: string,
    onCrash: (crash: ProcessCrash) => void,
    stopDeadlineMs: number,
    options: SoakedFirebellOptions = {},
    onLeaseLost: (at: number) => void = () => undefined,
  ) {
    const exited = (instance: () => SoakedFirebell | undefined) => (crash: ProcessCrash) => {
      if (crash.code !== LEASE_LOST_EXIT) return onCrash(crash);
      onLeaseLost(crash.at);
      setTimeout(() => {
        const lost = instance();
        if (lost && !lost.running && !this.stopping) lost.start();
      }, 1_000);
    };
    this.instances = [0, 1].map(
      (index) =>
        new SoakedFirebell(
          configDir,
          exited(() => this.instances[index]),
          stopDeadlineMs,
          {
            ...options,
            onStderr: (line, at) => {
              if (line.includes('took over the lease')) this.tookOverAt[index] = at;
              options.onStderr?.(line, at);
            },
          },
        ),
    );
  }

  /** Whether an instance runs that is not paused (it is active, or will take over). */
  get running(): boolean {
    return this.instances.some((instance) => instance.running && !this.paused.has(instance));
  }

  /** No single process: a full disk is SQLite's fault only. */
  get pid(): number | undefined {
    return undefined;
  }

  /** Starts every instance that is not running: the one that finds the lease held stands by. */
  start(): void {
    this.instances.forEach((instance, index) => {
      if (instance.running) return;
      this.tookOverAt[index] = 0;
      instance.start();
    });
  }

  /** When an instance other than a paused one took over the lease at or after `since`. */
  takeoverSince(since: number): number | undefined {
    const times = this.instances
      .map((instance, index) => (this.paused.has(instance) ? 0 : (this.tookOverAt[index] ?? 0)))
      .filter((at) => at >= since);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** The active instance: running, and the last to take over. */
  private active(): SoakedFirebell | undefined {
    let found: { instance: SoakedFirebell; at: number } | undefined;
    this.instances.forEach((instance, index) => {
      const at = this.tookOverAt[index] ?? 0;
      if (instance.running && at > 0 && (!found || at > found.at)) found = { instance, at };
    });
    return found?.instance;
  }

  /** SIGKILL or SIGTERM to the active instance; not started again here (after the takeover: `start`). */
  async stop(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    await this.active()?.stop(signal);
  }

  /** Both stopped at the end of the run: the standby first, so that nothing takes over. */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const active = this.active();
    for (const instance of this.instances) if (instance !== active) await instance.stop('SIGTERM', true);
    await active?.stop('SIGTERM');
  }

  /** Freezes the active instance; returns it, for `resume`. */
  pause(): SoakedFirebell | undefined {
    const active = this.active();
    if (!active) return undefined;
    this.paused.add(active);
    active.pause();
    return active;
  }

  /** Resumes a paused instance that lost its lease meanwhile: it must exit (3); resolves with when. */
  async resume(instance: SoakedFirebell, deadlineMs: number): Promise<number> {
    const exitedAt = await instance.resume(LEASE_LOST_EXIT, deadlineMs);
    this.paused.delete(instance);
    return exitedAt;
  }
}
