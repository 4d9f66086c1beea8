/**
 * The outgoing queue both chat adapters put in front of their connection: one FIFO lane per priority,
 * most urgent first, bounded. The overflow policy is explicit: when the queue is full, relayed chatter is
 * dropped (the oldest first, counted so the adapter can say how many), and nothing else ever is: a page or
 * a command reply is accepted even past the bound.
 */
import type { Priority } from '../../core/messages.js';

const LANES: readonly Priority[] = ['urgent', 'normal', 'relay', 'bulk'];

export class LaneQueue<T> {
  private readonly lanes = new Map<Priority, T[]>(LANES.map((lane) => [lane, []]));
  private count = 0;
  private dropped: T[] = [];

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.count;
  }

  /** Queues an item; returns false when it was relayed chatter dropped for lack of room. */
  push(item: T, priority: Priority): boolean {
    if (this.count >= this.limit) {
      if (priority === 'relay') {
        this.dropped.push(item);
        return false;
      }
      const relay = this.lane('relay');
      const oldest = relay.shift();
      if (oldest !== undefined) {
        this.count -= 1;
        this.dropped.push(oldest);
      }
    }
    this.lane(priority).push(item);
    this.count += 1;
    return true;
  }

  /** Puts an item back at the head of its lane (a send that failed and will be retried first). */
  unshift(item: T, priority: Priority): void {
    this.lane(priority).unshift(item);
    this.count += 1;
  }

  peek(): T | undefined {
    for (const lane of LANES) {
      const head = this.lane(lane)[0];
      if (head !== undefined) return head;
    }
    return undefined;
  }

  shift(): T | undefined {
    for (const lane of LANES) {
      const queue = this.lane(lane);
      if (queue.length > 0) {
        this.count -= 1;
        return queue.shift();
      }
    }
    return undefined;
  }

  /**
   * Removes and returns the first item, most urgent lane first, that matches `predicate`; the items it
   * passes over keep their places (IRC: lines for a channel not joined yet wait while others go).
   */
  shiftWhere(predicate: (item: T) => boolean): T | undefined {
    for (const lane of LANES) {
      const queue = this.lane(lane);
      const index = queue.findIndex(predicate);
      if (index >= 0) {
        this.count -= 1;
        return queue.splice(index, 1)[0];
      }
    }
    return undefined;
  }

  /** Relay items dropped since the last call; resets the count. */
  takeDroppedCount(): number {
    return this.takeDropped().length;
  }

  /** Relay items dropped since the last call (their owners are told), oldest first. */
  takeDropped(): T[] {
    const dropped = this.dropped;
    this.dropped = [];
    return dropped;
  }

  /** Removes and returns every queued item matching `predicate` (e.g. lines for a channel we left). */
  removeWhere(predicate: (item: T) => boolean): T[] {
    const removed: T[] = [];
    for (const lane of LANES) {
      const queue = this.lane(lane);
      const kept = queue.filter((item) => {
        if (!predicate(item)) return true;
        removed.push(item);
        return false;
      });
      this.lanes.set(lane, kept);
    }
    this.count -= removed.length;
    return removed;
  }

  /** The most urgent lane holding an item that matches `predicate`; undefined when none does. */
  laneOf(predicate: (item: T) => boolean): Priority | undefined {
    return LANES.find((lane) => this.lane(lane).some(predicate));
  }

  private lane(priority: Priority): T[] {
    return this.lanes.get(priority) as T[];
  }
}
