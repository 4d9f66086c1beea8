/** Every command, with who may use it and an example, from the command catalog. */
import type { Config } from '../../config/config.js';
import { COMMANDS, type CommandName, type CommandSpec } from '../../core/commands/catalog.js';
import { code, lineBreak, rich, type RichText, type Segment } from '../../core/rich-text.js';
import { cell, paragraph, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import { permissionWords } from '../places.js';

/** The commands whose audience the config decides, rather than the catalog. */
const CONFIGURED: Partial<Record<CommandName, keyof Config['incidents']['permissions']>> = {
  incident: 'declare',
  ack: 'ack',
  unack: 'unack',
  assign: 'assign',
  resolved: 'resolve',
};

function who(config: Config, spec: CommandSpec): string {
  const key = CONFIGURED[spec.name];
  return key ? permissionWords(config.incidents.permissions[key]) : spec.who;
}

function usage(spec: CommandSpec): RichText {
  if (spec.aliases.length === 0) return rich(code(spec.usage));
  return rich(
    code(spec.usage),
    lineBreak,
    'also ',
    ...spec.aliases.flatMap((alias, index) => (index === 0 ? [code(alias)] : [', ', code(alias)])),
  );
}

const examples = (spec: CommandSpec): RichText =>
  spec.examples.flatMap((example, index): Segment[] =>
    index === 0 ? [code(example)] : [lineBreak, code(example)],
  );

export function commandsSection(ctx: PlaybookContext): Section {
  return {
    id: 'commands',
    title: 'Commands',
    blocks: [
      paragraph(
        rich(
          'Type them in any channel or room where firebell is. ',
          code('[id]'),
          ' is the incident number from firebell’s announcement, e.g. ',
          code('12'),
          '.',
        ),
      ),
      {
        kind: 'table',
        head: [rich('Command'), rich('What it does'), rich('Who may use it'), rich('Examples')],
        rows: COMMANDS.map((spec) => [
          cell(usage(spec)),
          cell(rich(spec.summary)),
          cell(rich(who(ctx.config, spec))),
          cell(examples(spec)),
        ]),
      },
    ],
  };
}
