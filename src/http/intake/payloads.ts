/**
 * The three intake payloads, each checked by fastify against its JSON schema (a bad payload gets a 400
 * naming what is wrong) and turned into the core's `IntakeAlert`:
 *
 * - Alertmanager's webhook, payload version 4 (receiver, groupKey, status, alerts, commonLabels,
 *   commonAnnotations, externalURL, truncatedAlerts);
 * - Grafana alerting's webhook contact point, which sends the same shape plus orgId, title and message;
 * - the generic hook (docs/http.md): summary, dedupKey, status, severity, group, detailsUrl, count.
 */
import { createHash } from 'node:crypto';
import { singleLine } from '../../core/bridge/sanitize.js';
import { MAX_SUMMARY_LENGTH } from '../../core/commands/parse.js';
import type { IntakeAlert } from '../../core/intake/intake-alert.js';

/**
 * Labels and annotations. Their values are not capped one by one: a description, a runbook, or a label a
 * Loki rule extracted from a log line can be long, and a 400 for one of them would lose the whole group
 * (senders do not retry a 4xx). The body limit bounds them all.
 */
const labels = {
  type: 'object',
  additionalProperties: { type: 'string' },
  maxProperties: 100,
} as const;
const annotations = labels;
const alert = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['firing', 'resolved'] },
    labels,
    annotations,
    fingerprint: { type: 'string', maxLength: 256 },
  },
} as const;

const alertmanagerShape = {
  type: 'object',
  required: ['receiver', 'status', 'alerts', 'groupKey'],
  properties: {
    version: { type: 'string', maxLength: 16 },
    groupKey: { type: 'string', minLength: 1 },
    truncatedAlerts: { type: 'integer', minimum: 0 },
    status: { type: 'string', enum: ['firing', 'resolved'] },
    receiver: { type: 'string', minLength: 1, maxLength: 256 },
    groupLabels: labels,
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: { type: 'string', maxLength: 2048 },
    alerts: { type: 'array', items: alert, maxItems: 10_000 },
  },
} as const;

export const alertmanagerSchema = alertmanagerShape;

export const grafanaSchema = {
  ...alertmanagerShape,
  properties: {
    ...alertmanagerShape.properties,
    // Some Grafana versions send their contact point test with an empty receiver: a 400 would fail the test.
    receiver: { type: 'string', maxLength: 256 },
    orgId: { type: 'integer' },
    // Rendered by Grafana's templates, which list every alert of the group by default: they grow with it,
    // so only the body limit bounds them (a 400 here would lose the group; Grafana does not retry a 4xx).
    title: { type: 'string' },
    message: { type: 'string' },
    state: { type: 'string', maxLength: 64 },
  },
} as const;

export const genericSchema = {
  type: 'object',
  required: ['summary', 'dedupKey'],
  additionalProperties: false,
  properties: {
    summary: { type: 'string', minLength: 1, maxLength: MAX_SUMMARY_LENGTH },
    dedupKey: { type: 'string', minLength: 1, maxLength: 512 },
    status: { type: 'string', enum: ['firing', 'resolved'], default: 'firing' },
    severity: { type: 'string', maxLength: 64 },
    group: { type: 'string', maxLength: 128 },
    detailsUrl: { type: 'string', maxLength: 2048, pattern: '^https?://' },
    count: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
} as const;

interface AlertmanagerPayload {
  groupKey: string;
  truncatedAlerts?: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  externalURL?: string;
  alerts: {
    status: 'firing' | 'resolved';
    labels?: Record<string, string>;
    fingerprint?: string;
    valueString?: string;
  }[];
}

interface GrafanaPayload extends AlertmanagerPayload {
  orgId?: number;
  title?: string;
}

/**
 * The made-up alert Grafana sends when someone presses "Test" on a contact point (grafana/alerting,
 * notify/testing.go `newTestAlert`): its value string is fixed; its labels are TestAlert on Grafana unless
 * the tester gave others. Declared, it would page people at night for a button press.
 */
const GRAFANA_TEST_VALUE = "[ metric='foo' labels={instance=bar} value=10 ]";
const isGrafanaTest = (payload: GrafanaPayload): boolean =>
  payload.alerts.length > 0 &&
  payload.alerts.every(
    (alert) =>
      alert.valueString === GRAFANA_TEST_VALUE ||
      (alert.labels?.alertname === 'TestAlert' && alert.labels.instance === 'Grafana'),
  );

interface GenericPayload {
  summary: string;
  dedupKey: string;
  status?: 'firing' | 'resolved';
  severity?: string;
  group?: string;
  detailsUrl?: string;
  count?: number;
}

/**
 * Bidi embeddings, overrides and isolates, and invisible characters. Summaries are templated from labels,
 * which may carry a stranger's text (a request path, a user agent): one of these would reorder or hide
 * the rest of the announcement in chat, the push and the mail. The status site strips the same.
 */
const HIDING = /[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]/g;

/** One line of chat, whatever the payload held (newlines, controls), no longer than a summary may be. */
const line = (value: string): string => singleLine(value.replace(HIDING, '')).slice(0, MAX_SUMMARY_LENGTH);

/**
 * The group key as the store keeps it. `group_by: ['...']` over long labels makes it as long as they are,
 * and PostgreSQL's primary key index refuses a row past 2,704 bytes, failing the whole commit: a key over
 * 2 KiB is kept as its digest (one within stays as it was, so the keys of groups already open hold).
 */
const groupKeyOf = (groupKey: string): string =>
  Buffer.byteLength(groupKey, 'utf8') <= 2048
    ? groupKey
    : `sha256:${createHash('sha256').update(groupKey).digest('hex')}`;

/**
 * Which alerts fire, as one digest: their fingerprints (or, from a sender without them, their labels),
 * in any order. Kept instead of the list, which can be thousands long and is stored on every change.
 */
function firingSetOf(alerts: AlertmanagerPayload['alerts']): string {
  const ids = alerts
    .filter((alert) => alert.status === 'firing')
    .map(
      (alert) =>
        alert.fingerprint ??
        JSON.stringify(Object.entries(alert.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
    )
    .sort();
  return createHash('sha256').update(ids.join('\n')).digest('base64url').slice(0, 22);
}

const httpUrl = (value: string | undefined): string | undefined =>
  value !== undefined && /^https?:\/\//.test(value) ? value : undefined;

function fromAlertmanagerShape(
  payload: AlertmanagerPayload,
  source: 'alertmanager' | 'grafana',
  key: string,
  fallbackSummary: string | undefined,
): IntakeAlert {
  const common = payload.commonLabels ?? {};
  const annotations = payload.commonAnnotations ?? {};
  const firing = payload.alerts.filter((entry) => entry.status === 'firing').length;
  const summary =
    annotations.summary ??
    annotations.description ??
    fallbackSummary ??
    common.alertname ??
    payload.groupLabels?.alertname ??
    `alert group ${payload.groupKey}`;
  const url = httpUrl(payload.externalURL);
  return {
    source,
    key,
    receiver: line(payload.receiver) || source,
    status: payload.status,
    summary: line(summary) || 'alert',
    ...(common.severity !== undefined ? { severity: line(common.severity) } : {}),
    labels: common,
    // Alertmanager leaves out alerts past max_alerts and counts them in truncatedAlerts.
    firing: payload.status === 'firing' ? firing + (payload.truncatedAlerts ?? 0) : 0,
    ...(payload.status === 'firing' && payload.truncatedAlerts ? { unlisted: payload.truncatedAlerts } : {}),
    ...(payload.status === 'firing' ? { firingSet: firingSetOf(payload.alerts) } : {}),
    ...(url ? { url } : {}),
  };
}

export const fromAlertmanager = (payload: AlertmanagerPayload): IntakeAlert =>
  fromAlertmanagerShape(
    payload,
    'alertmanager',
    `alertmanager:${payload.receiver}:${groupKeyOf(payload.groupKey)}`,
    undefined,
  );

export const fromGrafana = (payload: GrafanaPayload): IntakeAlert => ({
  ...fromAlertmanagerShape(
    payload,
    'grafana',
    `grafana:${payload.orgId ?? 0}:${payload.receiver}:${groupKeyOf(payload.groupKey)}`,
    payload.title?.replace(/^\[(FIRING|RESOLVED)(:\d+)?\]\s*/, ''),
  ),
  ...(isGrafanaTest(payload) ? { test: true } : {}),
});

export function fromGeneric(payload: GenericPayload): IntakeAlert {
  const status = payload.status ?? 'firing';
  const url = httpUrl(payload.detailsUrl);
  return {
    source: 'generic',
    key: `generic:${payload.dedupKey}`,
    receiver: 'generic',
    status,
    summary: line(payload.summary) || 'alert',
    ...(payload.severity !== undefined ? { severity: line(payload.severity) } : {}),
    labels: {
      ...(payload.severity !== undefined ? { severity: payload.severity } : {}),
      ...(payload.group !== undefined ? { group: payload.group } : {}),
    },
    firing: status === 'firing' ? (payload.count ?? 1) : 0,
    ...(url ? { url } : {}),
  };
}
