/** `!help` and `!playbook`: what firebell can do, and where the play book is. */
import { code, link, rich } from '../rich-text.js';
import { COMMANDS, findCommand, type CommandName, type CommandSpec } from './catalog.js';
import type { CommandHandlers } from './handler.js';
import type { Permission } from '../settings.js';

type Configurable = 'declare' | 'ack' | 'unack' | 'assign' | 'resolve';

/** The commands whose audience `incidents.permissions` decides, rather than the catalog. */
const CONFIGURED: Partial<Record<CommandName, Configurable>> = {
  incident: 'declare',
  ack: 'ack',
  unack: 'unack',
  assign: 'assign',
  resolved: 'resolve',
};

const PERMISSION_WORDS: Readonly<Record<Permission, string>> = {
  anyone: 'anyone',
  verified: 'anyone identified to services (IRC) or any Matrix user',
  contacts: 'the people in contacts.yaml, identified',
  whitelist: 'the people in whitelist.yaml, identified',
};

export function infoCommands(deps: {
  readonly playbookUrl: string;
  /** What the config says; a tired person reading `!help` must not be told "anyone" where it is not so. */
  readonly permissions?: Readonly<Record<Configurable, Permission>>;
}): CommandHandlers {
  const who = (spec: CommandSpec): string => {
    const key = CONFIGURED[spec.name];
    return key && deps.permissions ? PERMISSION_WORDS[deps.permissions[key]] : spec.who;
  };
  return {
    help: (command, context) => {
      if (command.topic === undefined) {
        const list = COMMANDS.map((spec) => spec.usage.split(' ')[0]).join(' ');
        context.reply(
          rich(
            'Commands: ',
            list,
            '. ',
            code('!help <command>'),
            ' explains one. Play book: ',
            link(deps.playbookUrl),
          ),
        );
        return;
      }
      const spec = findCommand(command.topic);
      if (!spec) {
        context.reply(rich(`There is no command "${command.topic}". `, code('!help'), ' lists them.'));
        return;
      }
      const aliases = spec.aliases.length > 0 ? ` (also ${spec.aliases.join(', ')})` : '';
      context.reply(
        rich(
          code(spec.usage),
          `${aliases}: ${spec.summary} Example: `,
          code(spec.examples[0] ?? spec.usage),
          `. Who: ${who(spec)}.`,
        ),
      );
    },
    playbook: (_command, context) => {
      context.reply(
        rich(
          'The play book (what to do when something breaks, who to contact, how to post a status): ',
          link(deps.playbookUrl),
        ),
      );
    },
  };
}
