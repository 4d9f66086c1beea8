/**
 * What `ackLinks` needs beyond its own shape: a listener a phone can reach (`http.listen` and
 * `http.publicUrl`: the links point there). Its secret, like every other, must not be written in the file
 * (inline-secrets.ts): anyone who read the config repository could acknowledge any page.
 */
import { record, text, type CheckFinding } from './raw.js';

export function checkAckLinks(firebell: unknown): CheckFinding[] {
  const root = record(firebell);
  if (root.ackLinks === undefined) return [];
  const findings: CheckFinding[] = [];
  const http = record(root.http);
  const bot = record(root.bot);
  if (text(http.publicUrl) === undefined && text(bot.publicUrl) === undefined)
    findings.push({
      doc: 'firebell',
      path: ['ackLinks'],
      severity: 'error',
      message:
        'ack links need http.publicUrl: the address at which a phone reaches firebell\'s listener (such as "https://firebell.example.org")',
    });
  if (text(http.listen) === undefined && text(bot.httpListen) === undefined)
    findings.push({
      doc: 'firebell',
      path: ['ackLinks'],
      severity: 'error',
      message: 'ack links need http.listen: without the listener nothing answers them',
    });
  return findings;
}
