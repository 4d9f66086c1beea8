/**
 * The status site's pages as HTML: readable on a phone first, dark when the reader's system is, with
 * landmarks and headings for screen readers, and nothing that needs JavaScript (a small script only adds
 * the reader's local time beside the UTC one). Every string that people wrote (summaries, status posts,
 * names) is escaped and isolated (`<bdi>`), and the controls that could reorder or hide text around it
 * are removed.
 */
import type { Actor, TimelineEntry } from '../../machines/incident-types.js';
import { viaWords } from '../core/effects/render.js';
import type { StatusEntry, StoredDelivery } from '../core/store.js';
import { toPlainText } from '../core/rich-text.js';
import { escapeHtml } from '../playbook/html.js';
import type { HistoryItem, IncidentPage, SiteIncident, SiteStatus } from './site-model.js';

export interface SiteOptions {
  /** The bot's name, shown as the site's title. */
  readonly title: string;
  readonly playbookUrl: string;
}

/** Bidi embeddings, overrides and isolates, and invisible characters that could hide or reorder text. */
export const HIDING_CONTROLS =
  /[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** People's text: cleaned, escaped, and isolated so right-to-left text cannot reorder what is around it. */
export const said = (value: string): string => `<bdi>${escapeHtml(value.replace(HIDING_CONTROLS, ''))}</bdi>`;

export const utc = (at: number): string => `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

const time = (at: number): string => `<time datetime="${new Date(at).toISOString()}">${utc(at)}</time>`;

const STATUS_WORDS: Record<StatusEntry['kind'], string> = {
  alert: 'Alert',
  notice: 'Notice',
  log: 'Log',
  ok: 'All clear',
  success: 'Success',
};

const STYLE = `
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fff; --muted: #5a5a5a; --line: #d0d0d0;
  --alert: #8a1c1c; --alert-bg: #fdecec; --ok: #1d6b34; --held: #7a4b00; }
@media (prefers-color-scheme: dark) { :root { --fg: #e8e8e8; --bg: #141414; --muted: #a8a8a8;
  --line: #3a3a3a; --alert: #ffb4b4; --alert-bg: #3a1515; --ok: #8fd6a2; --held: #f0c36b; } }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
header, main, footer { max-width: 48rem; margin: 0 auto; padding: 0.75rem 1rem; }
header { border-bottom: 1px solid var(--line); }
header a { color: inherit; }
h1 { font-size: 1.4rem; margin: 0.25rem 0; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
a { color: inherit; }
.alert { border: 2px solid var(--alert); background: var(--alert-bg); padding: 0.75rem; border-radius: 6px; }
.alert strong { color: var(--alert); }
.all-clear { color: var(--ok); font-weight: 600; }
ul.items { list-style: none; padding: 0; margin: 0; }
ul.items li { border-bottom: 1px solid var(--line); padding: 0.6rem 0; overflow-wrap: anywhere; }
.phase { font-weight: 600; }
.phase-Investigating { color: var(--alert); }
.phase-Identified { color: var(--held); }
.phase-Resolved { color: var(--ok); }
.meta { color: var(--muted); font-size: 0.9rem; }
footer { color: var(--muted); font-size: 0.9rem; border-top: 1px solid var(--line); }
`;

/**
 * `root` is the way from the page back to the site's root, relative ("./" from the front page, "../" from
 * an incident's): a reverse proxy may serve the site under a path (`https://example.org/status/`), and a
 * link from the root of the host would leave it.
 */
function layout(
  options: SiteOptions,
  heading: string,
  body: string,
  generatedAt: number,
  root: string,
): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(heading)}</title>
<link rel="alternate" type="application/atom+xml" title="Incidents and status" href="${root}feed.atom">
<style>${STYLE}</style>
<script src="${root}site.js" defer></script>
</head>
<body>
<header><nav aria-label="Site"><a href="${root}">${escapeHtml(options.title)} status</a> · <a href="${root}playbook">Play book</a> · <a href="${root}feed.atom">Feed</a></nav></header>
<main>
<h1>${escapeHtml(heading)}</h1>
${body}
</main>
<footer>Generated ${time(generatedAt)}. Times are UTC. <a href="${root}api/v1/status.json">JSON</a> · <a href="${root}alert.json">alert.json</a></footer>
</body>
</html>
`;
}

const phaseBadge = (incident: SiteIncident): string =>
  `<span class="phase phase-${incident.publicPhase}">${incident.publicPhase}</span>`;

function incidentLine(incident: SiteIncident): string {
  const holder = incident.holder
    ? ` · ${incident.phase === 'assigned' ? 'on it' : 'acknowledged'}: ${said(incident.holder.name)} since ${time(incident.holder.at)}`
    : incident.open
      ? ' · not acknowledged yet'
      : '';
  const when =
    incident.resolvedAt !== undefined
      ? `resolved ${time(incident.resolvedAt)}`
      : `declared ${time(incident.createdAt)}`;
  return `<li>${phaseBadge(incident)} <a href="incidents/${incident.id}">#${incident.id}</a> ${said(incident.summary)}
<div class="meta">${when}${holder}</div></li>`;
}

function historyLine(item: HistoryItem): string {
  if (item.kind === 'incident') return incidentLine(item.incident);
  const { entry } = item;
  const word = STATUS_WORDS[entry.kind];
  return `<li><span class="phase">${word}</span> ${said(entry.text)}<div class="meta">${time(entry.at)} by ${said(entry.by.name)}</div></li>`;
}

export function renderFrontPage(status: SiteStatus, options: SiteOptions): string {
  const alert = status.alert
    ? `<section class="alert" aria-labelledby="alert-heading"><h2 id="alert-heading"><strong>Alert</strong></h2><p>${said(status.alert.text)}</p><p class="meta">${time(status.alert.at)} by ${said(status.alert.by.name)}</p></section>`
    : '';
  const open =
    status.open.length > 0
      ? `<ul class="items">${status.open.map(incidentLine).join('\n')}</ul>`
      : '<p class="all-clear">No open incidents.</p>';
  const history =
    status.history.length > 0
      ? `<ul class="items">${status.history.map(historyLine).join('\n')}</ul>`
      : '<p>Nothing yet.</p>';
  const maintenance =
    status.maintenance.length > 0
      ? `<section aria-labelledby="maintenance-heading"><h2 id="maintenance-heading">Maintenance</h2><ul class="items">${status.maintenance
          .map(
            (window) =>
              `<li>${window.group === 'all' ? 'Every group' : `Group ${said(window.group)}`}: ${said(window.reason)}<div class="meta">until ${time(window.endsAt)}, by ${said(window.by)}; alerts from monitoring do not page meanwhile</div></li>`,
          )
          .join('\n')}</ul></section>`
      : '';
  const body = `${alert}${maintenance}
<section aria-labelledby="open-heading"><h2 id="open-heading">Open incidents</h2>${open}</section>
<section aria-labelledby="history-heading"><h2 id="history-heading">History</h2>${history}</section>`;
  return layout(options, `${options.title}: status`, body, status.generatedAt, './');
}

const TIMELINE_WORDS: Partial<Record<TimelineEntry['kind'], string>> = {
  detected: 'Declared',
  'reported-again': 'Reported again',
  announced: 'Announced',
  acknowledged: 'Acknowledged',
  unacknowledged: 'Acknowledgement withdrawn',
  'ack-timed-out': 'Acknowledgement timed out',
  assigned: 'Assigned',
  paged: 'Paged',
  'escalation-exhausted': 'Nobody left to page',
  'status-posted': 'Status posted',
  'status-reminder': 'Status reminder',
  resolved: 'Resolved',
  'resolved-by-source': 'Resolved by its source',
  resumed: 'Resumed after a restart',
};

export const timelineWord = (kind: TimelineEntry['kind']): string => TIMELINE_WORDS[kind] ?? kind;

/** "page to Mara on oftc", "announce in #opendev on oftc". */
export function deliveryTarget(delivery: StoredDelivery): string {
  const { content } = delivery;
  if (content.kind === 'topic') return `topic of ${content.conversation} on ${delivery.channel}`;
  if (content.kind === 'edit') return `announcement edited in ${content.conversation} on ${delivery.channel}`;
  if (content.kind === 'offchat')
    return `${content.page.kind} to ${content.page.contactId} by ${delivery.channel}`;
  const { message } = content;
  const what = message.purpose ?? 'message';
  const to = 'person' in message.to ? `to ${message.to.person.name}` : `in ${message.to.conversation}`;
  return `${what} ${to} on ${delivery.channel}`;
}

export function deliveryOutcome(delivery: StoredDelivery): string {
  if (delivery.state === 'pending') return 'not confirmed yet';
  const at = delivery.outcomeAt !== undefined ? ` ${utc(delivery.outcomeAt)}` : '';
  return `${delivery.state}${at}${delivery.reason ? ` (${delivery.reason})` : ''}`;
}

/** " (libera)", or " (from a push notification)" for a one-tap ack link. */
function actedWhere(by: Actor): string {
  const where = by.via ? viaWords(by).trim() : by.network;
  return where ? ` <span class="meta">(${said(where)})</span>` : '';
}

export function renderIncidentPage(page: IncidentPage, options: SiteOptions, generatedAt: number): string {
  const { incident } = page;
  const timeline = page.timeline
    .map(
      (entry) =>
        `<li><span class="phase">${escapeHtml(timelineWord(entry.kind))}</span>${entry.by ? ` by ${said(entry.by.name)}${actedWhere(entry.by)}` : ''}${entry.detail ? `: ${said(entry.detail)}` : ''}<div class="meta">${time(entry.at)}</div></li>`,
    )
    .join('\n');
  const deliveries = page.deliveries
    .filter(
      (delivery) => delivery.content.kind !== 'message' || delivery.content.message.purpose !== undefined,
    )
    .map(
      (delivery) =>
        `<li>${said(deliveryTarget(delivery))}<div class="meta">${time(delivery.createdAt)} · ${said(deliveryOutcome(delivery))}</div>${
          delivery.content.kind === 'message'
            ? `<div>${said(toPlainText(delivery.content.message.body))}</div>`
            : ''
        }</li>`,
    )
    .join('\n');
  const body = `<p>${phaseBadge(incident)} · group ${said(incident.group)} · declared ${time(incident.createdAt)}${
    incident.holder
      ? incident.open
        ? ` · ${said(incident.holder.name)} is on it`
        : ` · held by ${said(incident.holder.name)}`
      : ''
  }</p>
<p><a href="${incident.id}.md">Markdown for the postmortem</a></p>
<section aria-labelledby="timeline-heading"><h2 id="timeline-heading">Timeline</h2><ul class="items">${timeline}</ul></section>
<section aria-labelledby="deliveries-heading"><h2 id="deliveries-heading">What firebell said, and where</h2>${
    deliveries ? `<ul class="items">${deliveries}</ul>` : '<p>Nothing yet.</p>'
  }</section>`;
  return layout(
    options,
    `#${incident.id} ${incident.summary.replace(HIDING_CONTROLS, '')}`,
    body,
    generatedAt,
    '../',
  );
}

/** Adds the reader's local time beside each UTC time; the page is whole without it. */
export const SITE_SCRIPT = `document.querySelectorAll('time[datetime]').forEach(function (t) {
  var d = new Date(t.getAttribute('datetime'));
  if (isNaN(d)) return;
  var local = d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  t.setAttribute('title', local);
  t.insertAdjacentText('afterend', ' (' + local + ' your time)');
});
`;
