/**
 * The site's other forms: an incident as Markdown for the postmortem, an Atom feed of incidents and status
 * posts, the statusbot's `alert.json`, and `/api/v1/status.json`, a small summary for other tools
 * (documented in docs/http.md).
 */
import type { StatusEntry } from '../core/store.js';
import { toPlainText } from '../core/rich-text.js';
import { deliveryOutcome, deliveryTarget, HIDING_CONTROLS, timelineWord, utc } from './site-html.js';
import type { IncidentPage, SiteIncident, SiteStatus } from './site-model.js';

/**
 * Markdown's active characters in people's text, so a summary cannot become a link or a heading; line
 * breaks become spaces, and the controls that could hide or reorder text in the postmortem are removed.
 */
const markdownText = (value: string): string =>
  value
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(HIDING_CONTROLS, '')
    .replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1');

export function renderIncidentMarkdown(page: IncidentPage): string {
  const { incident } = page;
  const lines = [
    `# Incident #${incident.id}: ${markdownText(incident.summary)}`,
    '',
    `- Status: ${incident.publicPhase} (${incident.phase})`,
    `- Group: ${markdownText(incident.group)}`,
    `- Declared: ${utc(incident.createdAt)}`,
    ...(incident.holder
      ? [`- Held by: ${markdownText(incident.holder.name)} since ${utc(incident.holder.at)}`]
      : []),
    ...(incident.resolvedAt !== undefined ? [`- Resolved: ${utc(incident.resolvedAt)}`] : []),
    '',
    '## Timeline (UTC)',
    '',
    ...page.timeline.map(
      (entry) =>
        `- ${utc(entry.at)}: ${timelineWord(entry.kind)}${entry.by ? ` by ${markdownText(entry.by.name)}` : ''}${
          entry.detail ? `: ${markdownText(entry.detail)}` : ''
        }`,
    ),
    '',
    '## Pages and messages',
    '',
    ...(page.deliveries.length === 0
      ? ['None.']
      : page.deliveries.map(
          (delivery) =>
            `- ${utc(delivery.createdAt)}: ${markdownText(deliveryTarget(delivery))}: ${markdownText(deliveryOutcome(delivery))}${
              delivery.content.kind === 'message'
                ? `: ${markdownText(toPlainText(delivery.content.message.body))}`
                : ''
            }`,
        )),
    '',
  ];
  return lines.join('\n');
}

/** Escaped for XML, without what XML forbids or what could hide or reorder text in a feed reader. */
const xml = (value: string): string =>
  value
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g, '')
    .replace(HIDING_CONTROLS, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');

const iso = (at: number): string => new Date(at).toISOString();

export function renderAtomFeed(status: SiteStatus, baseUrl: string, title: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  const incidents: SiteIncident[] = [
    ...status.open,
    ...status.history.flatMap((item) => (item.kind === 'incident' ? [item.incident] : [])),
  ];
  const entries = [
    ...incidents.map((incident) => ({
      at: incident.updatedAt,
      xml: `<entry><id>${xml(`${base}/incidents/${incident.id}`)}</id><title>${xml(
        `#${incident.id} ${incident.publicPhase}: ${incident.summary}`,
      )}</title><updated>${iso(incident.updatedAt)}</updated><published>${iso(
        incident.createdAt,
      )}</published><link href="${xml(`${base}/incidents/${incident.id}`)}"/><summary>${xml(
        `${incident.publicPhase}: ${incident.summary}`,
      )}</summary></entry>`,
    })),
    ...status.history.flatMap((item) =>
      item.kind === 'status'
        ? [
            {
              at: item.at,
              xml: `<entry><id>${xml(`${base}/#status-${item.at}-${item.entry.kind}`)}</id><title>${xml(
                `#status ${item.entry.kind}: ${item.entry.text}`,
              )}</title><updated>${iso(item.at)}</updated><author><name>${xml(
                item.entry.by.name,
              )}</name></author><link href="${xml(`${base}/`)}"/><summary>${xml(item.entry.text)}</summary></entry>`,
            },
          ]
        : [],
    ),
  ].sort((a, b) => b.at - a.at);
  const updated = entries[0]?.at ?? status.generatedAt;
  // The feed names its author: RFC 4287 requires one for entries without their own (the incidents).
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>${xml(`${base}/`)}</id><title>${xml(
    `${title} status`,
  )}</title><author><name>${xml(title)}</name></author><updated>${iso(updated)}</updated><link rel="self" href="${xml(`${base}/feed.atom`)}"/><link href="${xml(`${base}/`)}"/>
${entries.map((entry) => entry.xml).join('\n')}
</feed>
`;
}

/** The statusbot's format: `{"alert": "<message>"}` while an alert is up, `{"alert": null}` otherwise. */
export const alertJson = (alert: StatusEntry | undefined): { alert: string | null } => ({
  alert: alert?.text ?? null,
});

export interface StatusSummary {
  readonly generatedAt: string;
  /** `ok`: nothing open and no alert; `alert`: an alert is up; `incident`: incidents are open, no alert. */
  readonly indicator: 'ok' | 'incident' | 'alert';
  readonly alert: { readonly text: string; readonly by: string; readonly at: string } | null;
  readonly open: readonly {
    readonly id: number;
    readonly summary: string;
    readonly phase: string;
    readonly status: string;
    readonly declaredAt: string;
    readonly heldBy: string | null;
    readonly url: string;
  }[];
}

export function statusSummary(status: SiteStatus, baseUrl: string): StatusSummary {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    generatedAt: iso(status.generatedAt),
    indicator: status.alert ? 'alert' : status.open.length > 0 ? 'incident' : 'ok',
    alert: status.alert
      ? { text: status.alert.text, by: status.alert.by.name, at: iso(status.alert.at) }
      : null,
    open: status.open.map((incident) => ({
      id: incident.id,
      summary: incident.summary,
      phase: incident.phase,
      status: incident.publicPhase,
      declaredAt: iso(incident.createdAt),
      heldBy: incident.holder?.name ?? null,
      url: `${base}/incidents/${incident.id}`,
    })),
  };
}
