/**
 * The intake bench's Alertmanager: posts every group's payloads, one more alert each time, `inFlight` groups
 * at a time and each group's posts in order, then prints one JSON line (seconds and statuses) and exits.
 * Usage: intake-client-child.js <url> <token> <groups> <alertsPerGroup> <inFlight>
 */
import { performance } from 'node:perf_hooks';

export interface DriveResult {
  readonly seconds: number;
  readonly accepted: number;
  readonly other: number;
}

function payload(group: number, alerts: number): string {
  const groupKey = `{}:{alertname="Bench${group}"}`;
  return JSON.stringify({
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'firebell',
    groupLabels: { alertname: `Bench${group}` },
    commonLabels: { alertname: `Bench${group}`, severity: 'warning' },
    commonAnnotations: { summary: `bench alert group ${group}` },
    externalURL: 'http://alertmanager.example.org:9093',
    alerts: Array.from({ length: alerts }, (_, index) => ({
      status: 'firing',
      labels: { alertname: `Bench${group}`, instance: `host${index}` },
      annotations: {},
      startsAt: '2026-11-25T15:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: `${group}-${index}`,
    })),
  });
}

/** Posts every group's ten payloads, inFlight groups at a time; answers the seconds and the statuses. */
async function drive(
  url: string,
  token: string,
  groups: number,
  alertsPerGroup: number,
  inFlight: number,
): Promise<DriveResult> {
  let next = 0;
  let accepted = 0;
  let other = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let group = next++; group < groups; group = next++)
      for (let alerts = 1; alerts <= alertsPerGroup; alerts += 1) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: payload(group, alerts),
        });
        await response.arrayBuffer();
        if (response.status === 202) accepted += 1;
        else other += 1;
      }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { seconds: (performance.now() - started) / 1000, accepted, other };
}

const [url, token, groups, alertsPerGroup, inFlight] = process.argv.slice(2);
if (url === undefined || token === undefined)
  throw new Error('usage: intake-client-child.js <url> <token> <groups> <alerts> <inFlight>');
const result = await drive(url, token, Number(groups), Number(alertsPerGroup), Number(inFlight));
process.stdout.write(`${JSON.stringify(result)}\n`);
