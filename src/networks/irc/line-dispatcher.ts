/**
 * Every parsed line from the server goes to the handlers registered for its command, each concern in its
 * own module (registration, channels, topics, messages, services accounts), in the order the tables were
 * given. A handler that returns true has consumed the line (a reply to our own account lookup), and the
 * handlers after it do not see it.
 */
import type { IrcMessage } from 'irc-framework';
import type { FrameworkConnection } from './irc-framework-adapter.js';

export interface LineContext {
  readonly connection: FrameworkConnection;
  /** The line's source is our own nick (an echo, our JOIN, our NICK). */
  readonly fromSelf: boolean;
}

export type LineHandler = (message: IrcMessage, line: LineContext) => boolean | void;

/** Handlers by command (upper case, numerics as three digits). */
export type HandlerTable = Readonly<Record<string, LineHandler>>;

export class LineDispatcher {
  private readonly byCommand = new Map<string, LineHandler[]>();

  constructor(tables: readonly HandlerTable[]) {
    for (const table of tables)
      for (const [command, handler] of Object.entries(table))
        this.byCommand.set(command, [...(this.byCommand.get(command) ?? []), handler]);
  }

  dispatch(message: IrcMessage, line: LineContext): void {
    for (const handler of this.byCommand.get(message.command) ?? [])
      if (handler(message, line) === true) return;
  }
}
