/**
 * A batch of the journal (journal.ts) being filled: its writes merged list by list, as the store takes
 * them, and kept as the record units they came in (each `record()` call with what waits for it), so that
 * a batch the store refuses can be committed unit by unit around the unit that causes it.
 */
import { emptyBatch, type StatusEntry, type StoreBatch } from './store.js';

type ListKey = {
  [K in keyof StoreBatch]-?: StoreBatch[K] extends readonly unknown[] ? K : never;
}[keyof StoreBatch];

/** Writes to add to the batch: any of its lists, the alert, a prune. */
export type Writes = { readonly [K in ListKey]?: StoreBatch[K] } & {
  readonly alert?: StatusEntry | null;
  readonly prune?: StoreBatch['prune'];
};

/** Why a unit a barrier waited for was dropped, and the incidents it wrote about. */
export interface BatchRefusal {
  readonly reason: string;
  readonly incidents: readonly number[];
}

/** One `record()` call: its writes, what runs once they are stored, and who hears that they never will be. */
export interface RecordUnit {
  readonly writes: Writes;
  readonly after?: () => void;
  readonly refused?: (reason: string) => void;
}

const LIST_KEYS: ReadonlySet<string> = new Set<ListKey>([
  'transitions',
  'effectsDone',
  'quarantines',
  'deliveries',
  'deliveryUpdates',
  'handled',
  'keyValues',
  'savedTopics',
  'statusHistory',
  'longMessages',
  'usedAckLinks',
]);

export class OpenBatch {
  private readonly lists = new Map<ListKey, unknown[]>();
  private alert: { readonly value: StatusEntry | null } | undefined;
  private prune: StoreBatch['prune'];
  writes = 0;
  /** In the order recorded: their `after` callbacks run in this order. */
  readonly units: RecordUnit[] = [];
  /** Who waits for the batch (`barrier`): told of the first unit of it the store refused, if any. */
  readonly waiters: Array<(refusal: BatchRefusal | undefined) => void> = [];
  /** The first unit of the batch dropped as refused (journal.ts), for its waiters. */
  refusal: BatchRefusal | undefined;

  static of(units: readonly RecordUnit[]): OpenBatch {
    const batch = new OpenBatch();
    for (const unit of units) batch.add(unit);
    return batch;
  }

  add(unit: RecordUnit): void {
    const { writes } = unit;
    const before = this.writes;
    // The keys `writes` has (one or two, nearly always), not every list the batch can hold.
    for (const key in writes) {
      if (!LIST_KEYS.has(key)) continue;
      const items = writes[key as ListKey] as readonly unknown[] | undefined;
      if (!items || items.length === 0) continue;
      const list = this.lists.get(key as ListKey);
      if (list) list.push(...items);
      else this.lists.set(key as ListKey, [...items]);
      this.writes += items.length;
    }
    if (writes.alert !== undefined) {
      this.alert = { value: writes.alert };
      this.writes += 1;
    }
    if (writes.prune) {
      this.prune = writes.prune;
      this.writes += 1;
    }
    if (this.writes > before || unit.after) this.units.push(unit);
  }

  /** Appends a later batch (the failed one absorbs what came after it, keeping the order). */
  absorb(later: OpenBatch): void {
    for (const unit of later.units) this.add(unit);
    this.waiters.push(...later.waiters);
    this.refusal ??= later.refusal;
  }

  get empty(): boolean {
    return this.units.length === 0;
  }

  toStoreBatch(at: number): StoreBatch {
    // emptyBatch makes a new object each time: it is this batch's to fill in.
    const batch = emptyBatch(at) as unknown as Record<string, unknown>;
    for (const [key, items] of this.lists) batch[key] = items;
    if (this.alert) batch.alert = this.alert.value;
    if (this.prune) batch.prune = this.prune;
    return batch as unknown as StoreBatch;
  }
}

/** What a unit writes, by section, and the incidents it concerns: for logs, without the rows' content. */
export function describeUnit(writes: Writes): { sections: Record<string, number>; incidents: number[] } {
  const sections: Record<string, number> = {};
  const incidents = new Set<number>();
  for (const key in writes) {
    const items = writes[key as ListKey] as readonly unknown[] | undefined;
    if (LIST_KEYS.has(key) && items && items.length > 0) sections[key] = items.length;
  }
  if (writes.alert !== undefined) sections.alert = 1;
  if (writes.prune) sections.prune = 1;
  for (const transition of writes.transitions ?? []) incidents.add(transition.incidentId);
  for (const delivery of writes.deliveries ?? [])
    if (delivery.incidentId !== undefined) incidents.add(delivery.incidentId);
  for (const link of writes.usedAckLinks ?? []) incidents.add(link.incidentId);
  return { sections, incidents: [...incidents] };
}

/** Whether a unit writes anything (a unit may only wait for a commit). */
export function hasWrites(writes: Writes): boolean {
  return Object.keys(describeUnit(writes).sections).length > 0;
}
