/**
 * An IANA timezone, as a contact's `timezone`: one the runtime knows, spelt as the tz database spells it.
 */
import { z } from 'zod';

function isIanaZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}
/**
 * The IANA name as the tz database writes it, when `zone` is one written in another case. The runtime's
 * list has the names ICU knows (some are the older ones: Asia/Calcutta, not Asia/Kolkata), so a name typed
 * all in lower case that is not on it is capitalised part by part ("asia/kolkata" → "Asia/Kolkata").
 */
function canonicalCase(zone: string): string | undefined {
  const lowered = zone.toLowerCase();
  const listed = ['UTC', ...Intl.supportedValuesOf('timeZone')].find(
    (name) => name.toLowerCase() === lowered,
  );
  if (listed !== undefined || zone !== lowered) return listed;
  const guess = zone.replace(
    /(^|[/_-])([a-z])/g,
    (_, before: string, letter: string) => before + letter.toUpperCase(),
  );
  return isIanaZone(guess) ? guess : undefined;
}

export const timezone = z.string().superRefine((zone, ctx) => {
  // Runtimes accept "europe/berlin", but it is not the zone's name: other tools (and people) do not.
  const canonical = canonicalCase(zone);
  if (canonical !== undefined && canonical !== zone)
    ctx.addIssue({
      code: 'custom',
      message: `timezone names are case-sensitive: write "${canonical}", not "${zone}"`,
    });
  else if (!isIanaZone(zone))
    ctx.addIssue({ code: 'custom', message: 'expected an IANA timezone such as "Europe/Berlin"' });
});
