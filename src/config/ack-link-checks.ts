/**
 * What `ackLinks` needs beyond its own shape: a secret given from the environment or a file (written in
 * the YAML it would sit in the config repository, and anyone who reads it could acknowledge any page),
 * and a listener a phone can reach (`http.listen` and `http.publicUrl`: the links point there).
 */
import { record, text, type CheckFinding } from './raw.js';

/** `written` is the file as written, before `${...}` was replaced: whether the secret came from outside. */
export function checkAckLinks(firebell: unknown, written: unknown): CheckFinding[] {
  const root = record(firebell);
  if (root.ackLinks === undefined) return [];
  const findings: CheckFinding[] = [];
  const secret = text(record(record(written).ackLinks).secret);
  if (secret !== undefined && !/\$\{[^}]+\}/.test(secret))
    findings.push({
      doc: 'firebell',
      path: ['ackLinks', 'secret'],
      severity: 'error',
      message:
        'the secret is written in the file: give it from the environment or a file, such as ' +
        '${FIREBELL_ACK_SECRET} or ${file:/run/secrets/firebell-ack}, so the config repository never holds it',
    });
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
