/** The bridge's ignore lists (`bridge.ignoreIrcNicks`, `bridge.ignoreMatrixUsers`): other bots, loops. */
import type { Directory } from '../directory.js';
import type { Logger } from '../logger.js';
import type { Sender } from '../messages.js';
import type { BridgeSettings } from '../settings.js';

export class IgnorePatterns {
  private readonly irc: readonly RegExp[];
  private readonly matrix: readonly RegExp[];

  constructor(
    settings: BridgeSettings,
    private readonly directory: Directory,
    private readonly logger: Logger,
  ) {
    // IRC nicks are case-insensitive; Matrix ids are not.
    this.irc = this.compile(settings.ignoreIrcNicks, 'i');
    this.matrix = this.compile(settings.ignoreMatrixUsers, '');
  }

  ignored(network: string, sender: Sender): boolean {
    const kind = this.directory.kindOf(network);
    const patterns = kind === 'irc' ? this.irc : kind === 'matrix' ? this.matrix : [];
    return patterns.some((pattern) => pattern.test(sender.id));
  }

  private compile(sources: readonly string[], flags: string): RegExp[] {
    return sources.flatMap((source) => {
      try {
        return [new RegExp(source, flags)];
      } catch (error) {
        this.logger.error(
          { pattern: source, err: error },
          'bridge ignore pattern is not a valid regular expression; ignored',
        );
        return [];
      }
    });
  }
}
