/** A small tier-1 team in three zones, shared by the escalation tests. */
import { makeContact } from '../../support/builders.js';

export const ana = makeContact({
  id: 'ana',
  timezone: 'America/Chicago',
  hours: { 'mon-fri': '09:00-17:00' },
  tier: 1,
});
export const dev = makeContact({
  id: 'dev',
  timezone: 'Asia/Kolkata',
  hours: { 'mon-fri': '10:00-18:30' },
  tier: 1,
});
export const frida = makeContact({
  id: 'frida',
  timezone: 'Europe/Berlin',
  hours: { 'mon-fri': '07:00-15:30' },
  tier: 1,
});
