/** The parts that deal with monitoring: maintenance windows, the intake of alerts, and `!maintenance`. */
import type { Clock } from '../clock.js';
import type { CommandHandlers } from '../commands/handler.js';
import type { Directory } from '../directory.js';
import type { DurableState } from '../durable-state.js';
import type { IncidentService } from '../incident-service.js';
import type { Logger } from '../logger.js';
import { maintenanceCommand } from '../maintenance/maintenance-command.js';
import { MaintenanceWindows } from '../maintenance/maintenance-windows.js';
import type { Speaker } from '../outbox.js';
import { whitelistFileName, type CoreSettings } from '../settings.js';
import { Intake } from './intake.js';
import { formatDuration } from '../format/duration.js';
import { rich, type RichText } from '../rich-text.js';

export interface MonitoringParts {
  readonly maintenance: MaintenanceWindows;
  readonly intake: Intake | undefined;
  readonly commands: CommandHandlers;
  /** `!status`'s overview (the statusbot's alert) with the open maintenance windows after it. */
  statusOverview(
    inner: ((now: number) => Promise<RichText | undefined>) | undefined,
  ): (now: number) => Promise<RichText | undefined>;
}

export function monitoringParts(deps: {
  readonly config: CoreSettings;
  readonly durable: DurableState;
  readonly service: IncidentService;
  readonly speaker: Speaker;
  readonly directory: Directory;
  readonly groupIds: () => readonly string[];
  readonly clock: Clock;
  readonly logger: Logger;
}): MonitoringParts {
  const { config, durable, clock, logger } = deps;
  const maintenance = new MaintenanceWindows({
    keyValues: durable.keyValues,
    clock,
    speaker: deps.speaker,
    groupIds: deps.groupIds,
    planned: (config.maintenance ?? []).map((window) => ({
      ...window,
      by: { name: 'the config', network: 'firebell' },
      planned: true,
    })),
    logger: logger.child({ module: 'maintenance' }),
  });
  const intake =
    config.intake &&
    new Intake({
      maintenance,
      statusLog: durable.status,
      settings: config.intake,
      core: config,
      service: deps.service,
      speaker: deps.speaker,
      keyValues: durable.keyValues,
      clock,
      logger: logger.child({ module: 'intake' }),
    });
  const commands = maintenanceCommand({
    windows: maintenance,
    directory: deps.directory,
    groupIds: deps.groupIds,
    whitelistFile: whitelistFileName(config),
    now: () => clock.now(),
  });
  const statusOverview: MonitoringParts['statusOverview'] = (inner) => async (now) => {
    const before = await inner?.(now);
    const windows = maintenance.open();
    if (windows.length === 0) return before;
    const line = windows
      .map(
        (window) =>
          `Maintenance on ${maintenance.describe(window.group)} for ${formatDuration(window.endsAt - now)} more: ${window.reason}.`,
      )
      .join(' ');
    return before ? rich(...before, ' ', line) : rich(line);
  };
  return { maintenance, intake, commands, statusOverview };
}
