/**
 * Where an alert goes and how it is told: the channel group and policy its routes choose, who it is by,
 * and its one line for chat. Shared by the intake and what it holds during maintenance.
 */
import type { Actor } from '../../../machines/incident-types.js';
import type { CoreSettings, IntakeSettings } from '../settings.js';
import { policyForGroup } from '../settings.js';
import type { IntakeAlert } from './intake-alert.js';

export interface AlertRoute {
  readonly group: string;
  readonly policy: ReturnType<typeof policyForGroup>;
}

export function routeOf(alert: IntakeAlert, settings: IntakeSettings, core: CoreSettings): AlertRoute {
  const matching = settings.routes.find((route) =>
    Object.entries(route.match).every(
      ([label, value]) => alert.labels[label] === value || (label === 'severity' && alert.severity === value),
    ),
  );
  // The generic hook may name its group; a name that is no group is not trusted.
  const named = core.groups.some((candidate) => candidate.id === alert.labels.group)
    ? alert.labels.group
    : undefined;
  const group = matching?.group ?? named ?? settings.group;
  const policyName = matching?.policy ?? settings.policy;
  const policy =
    (policyName !== undefined ? core.policies[policyName] : undefined) ?? policyForGroup(core, group);
  return { group, policy };
}

export const actorOf = (alert: IntakeAlert): Actor => ({
  name: alert.source === 'generic' ? alert.receiver : alert.source,
  network: 'webhook',
});

/** "[critical] PyPI mirror down (3 alerts)": what chat shows. */
export function summaryOf(alert: IntakeAlert): string {
  const severity = alert.severity ? `[${alert.severity}] ` : '';
  const { unlisted = 0 } = alert;
  const count =
    unlisted > 0
      ? ` (${alert.firing - unlisted} alerts firing and ${unlisted} more that ${alert.source} left out)`
      : alert.firing > 1
        ? ` (${alert.firing} alerts)`
        : '';
  return `${severity}${alert.summary}${count}`;
}

/** "12 in all", and how many of them the source left out of its payload. */
export const allOf = (alert: IntakeAlert): string =>
  `${alert.firing} in all${alert.unlisted ? `, ${alert.unlisted} of them left out by ${alert.source}` : ''}`;
