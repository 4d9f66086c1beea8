/** `!help` and `!playbook`: what firebell can do, and where the play book is. */
import { code, link, rich } from '../rich-text.js';
import { COMMANDS, findCommand } from './catalog.js';
import type { CommandHandlers } from './handler.js';

export function infoCommands(deps: { readonly playbookUrl: string }): CommandHandlers {
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
          `. Who: ${spec.who}.`,
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
