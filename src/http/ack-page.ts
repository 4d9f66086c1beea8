/**
 * The pages an acknowledgement link answers with: the incident and one button (an HTML form that POSTs
 * back to the same address: no JavaScript, no cookies), what the button did, or why the link does nothing.
 * Every value people typed (the summary, names, who was paged) is escaped and isolated.
 */
import type { IncidentView } from '../core/incident-service.js';
import { PHASE_WORDS } from '../core/commands/incident-lists.js';
import type { LinkAckVerdict } from '../core/offchat/link-acks.js';
import type { AckTokenVerdict } from '../core/offchat/ack-token.js';
import { viaWords } from '../core/effects/render.js';
import { escapeHtml } from '../playbook/html.js';
import { said, utc } from '../status-site/site-html.js';

export interface AckPage {
  readonly status: number;
  readonly html: string;
}

export interface AckPageOptions {
  /** The bot's name, in the title. */
  readonly title: string;
  /** The incident's page on the status site, when firebell serves it. */
  readonly incidentUrl?: (id: number) => string;
}

const STYLE = `
body { font: 1.05rem/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 34rem; padding: 1rem; }
h1 { font-size: 1.3rem; }
.meta { color: #555; font-size: 0.95rem; }
button { font: inherit; font-size: 1.2rem; padding: 0.8rem 1.6rem; border-radius: 0.4rem; border: 0;
  background: #b3261e; color: #fff; cursor: pointer; width: 100%; }
`;

function layout(options: AckPageOptions, heading: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(`${heading} · ${options.title}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(heading)}</h1>
${body}
</main>
</body>
</html>
`;
}

/** The incident in a few lines: summary, group, phase, who declared it, who was paged last. */
function describe(incident: IncidentView, options: AckPageOptions): string {
  const { context } = incident;
  const paged = [...context.timeline].reverse().find((entry) => entry.kind === 'paged');
  const link = options.incidentUrl
    ? `<p><a href="${escapeHtml(options.incidentUrl(incident.id))}">Open the incident</a></p>`
    : '';
  return `<p><strong>#${incident.id}</strong> ${said(context.summary)}</p>
<p class="meta">Group ${said(context.group)} · ${escapeHtml(PHASE_WORDS[incident.phase])}${
    context.assignee ? ` by ${said(context.assignee.name)}` : ''
  }</p>
<p class="meta">Declared by ${said(context.declaredBy.name)} at ${utc(context.detectedAt)}${
    paged?.detail ? `; paged: ${said(paged.detail)}` : ''
  }</p>
${link}`;
}

const page = (status: number, options: AckPageOptions, heading: string, body: string): AckPage => ({
  status,
  html: layout(options, heading, body),
});

/** A link that fails before the core is asked: not ours, for another incident, or too old. */
export function tokenRefusal(
  verdict: Exclude<AckTokenVerdict, { ok: true }>,
  urlIncident: number,
  options: AckPageOptions,
): AckPage {
  switch (verdict.reason) {
    case 'forged':
      return page(
        403,
        options,
        'This acknowledgement link is not valid',
        '<p>It was not made by this firebell, or it was changed or cut short on the way (a mail client that wraps long lines can do that). Nothing was acknowledged. Acknowledge in chat instead: <code>!ack</code>.</p>',
      );
    case 'wrong-incident':
      return page(
        403,
        options,
        'This link is for another incident',
        `<p>It acknowledges incident #${verdict.claims.incidentId}, not #${urlIncident}. Nothing was acknowledged. Use the link from the page about #${urlIncident}, or <code>!ack ${urlIncident}</code> in chat.</p>`,
      );
    case 'expired':
      return page(
        410,
        options,
        'This acknowledgement link has expired',
        `<p>It was valid until ${utc(verdict.claims.expiresAt)}. Nothing was acknowledged. If incident #${verdict.claims.incidentId} still needs you, acknowledge in chat: <code>!ack ${verdict.claims.incidentId}</code>.</p>`,
      );
  }
}

/** What the core said of a genuine link: the button (GET), what it did (POST), or why it does nothing. */
export function verdictPage(verdict: LinkAckVerdict, incidentId: number, options: AckPageOptions): AckPage {
  switch (verdict.kind) {
    case 'usable':
      return page(
        200,
        options,
        `Acknowledge incident #${incidentId}?`,
        `${describe(verdict.incident, options)}
<form method="post"><button type="submit">Acknowledge as ${said(verdict.contact.name)}</button></form>
<p class="meta">Acknowledging stops the paging and tells the channel that you are on it. Opening this page did nothing yet.</p>`,
      );
    case 'acknowledged': {
      const by = verdict.incident.context.assignee;
      return page(
        200,
        options,
        `You acknowledged incident #${incidentId}`,
        `${describe(verdict.incident, options)}
<p>Paging stopped. The channel was told: acknowledged by ${said(verdict.contact.name)}${escapeHtml(by ? viaWords(by) : '')}.</p>`,
      );
    }
    case 'reused':
      return page(
        409,
        options,
        'This link was already used',
        `<p>Each acknowledgement link works once, and this one did its work already. Nothing more was done. <code>!status ${incidentId}</code> in chat shows where incident #${incidentId} stands.</p>`,
      );
    case 'not-allowed':
      return page(
        403,
        options,
        'This link cannot acknowledge',
        `<p>${said(verdict.reason)}. Nothing was acknowledged.</p>`,
      );
    case 'no-incident':
      return page(404, options, `There is no incident #${incidentId}`, '<p>Nothing was acknowledged.</p>');
    case 'resolved':
      return page(
        410,
        options,
        `Incident #${incidentId} is already resolved`,
        `${describe(verdict.incident, options)}<p>There is nothing to acknowledge; nothing was changed.</p>`,
      );
    case 'taken':
      return page(
        409,
        options,
        `Incident #${incidentId} is already acknowledged`,
        `${describe(verdict.incident, options)}<p>${
          verdict.holder ? `${said(verdict.holder.name)} is on it. ` : ''
        }Nothing was changed. To take it over, use <code>!assign me ${incidentId}</code> in chat.</p>`,
      );
    case 'unavailable':
      return page(
        503,
        options,
        'firebell cannot acknowledge right now',
        '<p>It is stopping or restarting. Nothing was acknowledged; try again in a minute, or acknowledge in chat.</p>',
      );
    case 'not-stored':
      return page(
        500,
        options,
        'firebell could not store this acknowledgement',
        `<p>The store refused it (${escapeHtml(verdict.reason)}). Nothing was acknowledged and the incident is quarantined; please tell firebell's operators.</p>`,
      );
  }
}

/** The commit did not come in time: the acknowledgement is taken but not stored yet. */
export function notStoredYet(incidentId: number, options: AckPageOptions): AckPage {
  return page(
    503,
    options,
    'Your acknowledgement is waiting for the store',
    `<p>firebell took it, but its database has not confirmed it yet. It is announced in chat once stored; until you see it there, treat incident #${incidentId} as not acknowledged.</p>`,
  );
}
