/**
 * What the status site read, kept between requests: during an outage everyone refreshes the page and
 * bots poll its JSON, and a read per request (every open incident with its timeline) would compete with
 * the commits that page people and answer `!ack`. So concurrent requests share one read, and what was read
 * is served until a commit changes what the site shows (the journal tells, before the change is said in
 * chat), the in-memory part (alert, maintenance, open incidents) differs, or it is `maxAgeMs` old (the
 * "generated" time stays recent). Each snapshot carries a version for HTTP revalidation and renders each
 * of its pages once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BoundedMap } from '../core/bounded-map.js';
import type { StoreBatch } from '../core/store.js';
import {
  DEFAULT_SITE_LIMITS,
  loadIncidentPage,
  loadSiteStatus,
  type IncidentPage,
  type SiteLimits,
  type SiteSource,
  type SiteStatus,
} from './site-model.js';

/** What a revalidating client compares: a weak entity tag and the time of the last change. */
export interface SiteVersion {
  /** Equal while what is shown is equal (the "generated" time aside, hence weak). */
  readonly etag: string;
  /** When what is shown last changed as this process saw it, in whole seconds (an HTTP date's precision). */
  readonly lastModified: number;
  /** False when it changed twice within one second: If-Modified-Since cannot tell those apart. */
  readonly datesDistinguish: boolean;
}

export interface Snapshot<T> {
  readonly value: T;
  /** When it was read (the pages' "generated" time). */
  readonly readAt: number;
  readonly version: SiteVersion;
  /** `make`'s text for this snapshot, made once per `kind` (HTML, JSON, feed...). */
  rendered(kind: string, make: (value: T, readAt: number) => string): string;
}

/** Which of the site's reads a committed batch may have made wrong. */
export function siteChanges(batch: StoreBatch): { readonly front: boolean; readonly pages: boolean } {
  const front =
    batch.transitions.length > 0 ||
    batch.quarantines.length > 0 ||
    batch.statusHistory.length > 0 ||
    batch.alert !== undefined;
  // An incident's page also lists its deliveries and their outcomes (which a prune may remove).
  const pages =
    front ||
    batch.deliveries.some((delivery) => delivery.incidentId !== undefined) ||
    batch.deliveryUpdates.length > 0 ||
    batch.prune !== undefined;
  return { front, pages };
}

export interface SiteSnapshotsOptions {
  readonly maxAgeMs: number;
  readonly limits?: SiteLimits;
}

export const DEFAULT_SNAPSHOT_MAX_AGE_MS = 5_000;
/** Incident pages kept (the open ones and those linked from the front page, with room for stray ids). */
const PAGES_KEPT = 200;

interface Held<T> {
  readonly generation: number;
  readonly live: string;
  readonly startedAt: number;
  readonly snapshot: Promise<Snapshot<T>>;
  /** The read failed: not served again, the next request reads anew. */
  failed: boolean;
}

const noop = (): void => undefined;
const digest = (text: string): string => createHash('sha1').update(text).digest('base64url');

/** Tags versions by content, and remembers when each resource's content last changed. */
class Versions {
  // Differs per process: a new release's rendering is never taken for the old one's.
  private readonly salt = randomBytes(6).toString('base64url');
  private readonly seen = new BoundedMap<string, SiteVersion>(PAGES_KEPT + 10);

  stamp(resource: string, content: string, now: number): SiteVersion {
    const etag = `W/"${this.salt}-${digest(content)}"`;
    const second = Math.floor(now / 1000) * 1000;
    const before = this.seen.get(resource);
    // Unchanged: kept, unless its date was ambiguous and a later second can now stand for it.
    if (before?.etag === etag && (before.datesDistinguish || second <= before.lastModified)) return before;
    const version: SiteVersion = {
      etag,
      lastModified: second,
      datesDistinguish: before === undefined || second > before.lastModified,
    };
    this.seen.set(resource, version);
    return version;
  }
}

export class SiteSnapshots {
  private readonly versions = new Versions();
  private frontGeneration = 0;
  private pagesGeneration = 0;
  private front: Held<SiteStatus> | undefined;
  private readonly pages = new BoundedMap<number, Held<IncidentPage | undefined>>(PAGES_KEPT);

  constructor(
    private readonly source: SiteSource,
    private readonly options: SiteSnapshotsOptions = { maxAgeMs: DEFAULT_SNAPSHOT_MAX_AGE_MS },
  ) {}

  /** A batch was committed: what it may have changed is read again by the next request. */
  committed(batch: StoreBatch): void {
    const changes = siteChanges(batch);
    if (changes.front) this.frontGeneration += 1;
    if (changes.pages) this.pagesGeneration += 1;
  }

  /** The front page's state (also status.json's and the feed's). */
  status(): Promise<Snapshot<SiteStatus>> {
    const live = this.liveState();
    this.front = this.fresh(this.front, this.frontGeneration, live, 'front', () =>
      loadSiteStatus(this.source, this.options.limits ?? DEFAULT_SITE_LIMITS),
    );
    return this.front.snapshot;
  }

  /** An incident's page, or undefined when there is no such incident. */
  incidentPage(id: number): Promise<Snapshot<IncidentPage | undefined>> {
    const held = this.fresh(this.pages.get(id), this.pagesGeneration, '', `incident:${id}`, () =>
      loadIncidentPage(this.source, id),
    );
    if (held !== this.pages.get(id)) this.pages.set(id, held);
    return held.snapshot;
  }

  /** The version of a text made from memory alone (alert.json): no read to keep, only its tag and date. */
  versionOf(resource: string, text: string): SiteVersion {
    return this.versions.stamp(resource, text, this.source.now());
  }

  /** The state kept in memory, not in the store: a snapshot read with other values is not served. */
  private liveState(): string {
    return JSON.stringify([
      this.source.currentAlert() ?? null,
      this.source.maintenance?.() ?? [],
      this.source.openIncidentIds?.() ?? [],
    ]);
  }

  /** `held` if it may still be served, else a new read (shared by every request until it is replaced). */
  private fresh<T>(
    held: Held<T> | undefined,
    generation: number,
    live: string,
    resource: string,
    read: () => Promise<T>,
  ): Held<T> {
    const now = this.source.now();
    if (
      held &&
      !held.failed &&
      held.generation === generation &&
      held.live === live &&
      now - held.startedAt < this.options.maxAgeMs
    )
      return held;
    // One read at a time: while commits come fast, a new read waits for the one under way (never served
    // once outdated) instead of running beside it on the store the commits use.
    const previous = held?.snapshot.then(noop, noop);
    const snapshot = (previous ? previous.then(read) : read()).then((value) =>
      this.snapshotOf(resource, value, this.source.now()),
    );
    const made: Held<T> = { generation, live, startedAt: now, snapshot, failed: false };
    snapshot.catch(() => {
      made.failed = true;
    });
    return made;
  }

  private snapshotOf<T>(resource: string, value: T, readAt: number): Snapshot<T> {
    const content =
      value === undefined
        ? 'none'
        : JSON.stringify(value, (key, field: unknown) => (key === 'generatedAt' ? undefined : field));
    const version = this.versions.stamp(resource, content, readAt);
    const texts = new Map<string, string>();
    return {
      value,
      readAt,
      version,
      rendered(kind, make) {
        let text = texts.get(kind);
        if (text === undefined) texts.set(kind, (text = make(value, readAt)));
        return text;
      },
    };
  }
}
