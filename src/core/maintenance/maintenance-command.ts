/** `!maintenance`: list, start (whitelisted people, verified) and end maintenance windows. */
import type { CommandHandlers } from '../commands/handler.js';
import type { Directory } from '../directory.js';
import { formatDuration } from '../format/duration.js';
import { checkPermission } from '../permissions.js';
import { ALL_GROUPS, type MaintenanceWindows } from './maintenance-windows.js';

export function maintenanceCommand(deps: {
  readonly windows: MaintenanceWindows;
  readonly directory: Directory;
  readonly groupIds: () => readonly string[];
  readonly whitelistFile: string;
  readonly now: () => number;
}): CommandHandlers {
  return {
    maintenance: (command, context) => {
      const { windows } = deps;
      if (command.action === 'list') {
        const open = windows.open();
        context.reply(
          open.length === 0
            ? 'No maintenance window is open.'
            : open
                .map(
                  (window) =>
                    `Maintenance on ${windows.describe(window.group)} for ${formatDuration(window.endsAt - deps.now())} more, by ${window.by.name}: ${window.reason}`,
                )
                .join('; '),
        );
        return;
      }
      const allowed = checkPermission(
        'whitelist',
        'start or end maintenance',
        context.network,
        context.message.sender,
        deps.directory,
        deps.whitelistFile,
      );
      if (!allowed.ok) {
        context.reply(`Not done: ${allowed.reason}.`);
        return;
      }
      const known = deps.groupIds();
      const group = command.group === ALL_GROUPS ? ALL_GROUPS : known.find((id) => id === command.group);
      if (group === undefined) {
        context.reply(
          `There is no group "${command.group}": name one of ${[...known, ALL_GROUPS].join(', ')}.`,
        );
        return;
      }
      if (command.action === 'end') {
        const ended = windows.end(group);
        if (ended.length === 0) context.reply(`No maintenance window to end on ${windows.describe(group)}.`);
        return;
      }
      windows.begin(group, command.durationMs, command.reason, context.actor);
    },
  };
}
