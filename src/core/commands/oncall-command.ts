/** `!oncall`: who is awake now, tier by tier, with their local time, under the policy of where it was asked. */
import type { EscalationPolicy } from '../../../machines/incident-types.js';
import type { Clock } from '../clock.js';
import { oncallAnswer } from '../escalation/oncall.js';
import type { CommandHandlers } from './handler.js';
import type { Contact } from '../settings.js';

export function oncallCommand(deps: {
  readonly contacts: readonly Contact[];
  readonly clock: Clock;
  readonly policyFor: (groupId: string) => EscalationPolicy;
  readonly defaultGroup: string;
}): CommandHandlers {
  return {
    oncall: (_command, context) => {
      const policy = deps.policyFor(context.group?.id ?? deps.defaultGroup);
      context.reply(oncallAnswer({ contacts: deps.contacts, at: deps.clock.now(), policy }));
    },
  };
}
