/**
 * How to post a status, exactly: the `#status` syntax (statusbot compatible), what each kind does,
 * examples, where the updates go, and the mistake the founding email itself made.
 */
import type { Config } from '../../config/config.js';
import { commandSpec } from '../../core/commands/catalog.js';
import { bold, code, link, rich, type RichText } from '../../core/rich-text.js';
import { bulletList, cell, paragraph, type Block, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import { botHandles, conversationLabel, joinRich } from '../places.js';

const SYNTAX = [
  '#status alert <message>',
  '#status notice <message>',
  '#status log <message>',
  '#status ok [message]',
];

const KINDS: readonly (readonly [string, string, string])[] = [
  [
    '#status alert',
    'A notice in every status channel and room, and their topics set to your message.',
    'Something people notice is broken.',
  ],
  [
    '#status notice',
    'A notice in every status channel and room; topics unchanged.',
    'Progress, or news people should know.',
  ],
  ['#status log', 'Recorded only: no notice, no topic change.', 'Worth a record (a restart, a workaround).'],
  ['#status ok', 'Topics restored and the alert cleared; with a message, a notice too.', 'It is over.'],
];

function destinations(config: Config): RichText[] {
  return config.groups.flatMap((group) =>
    group.members
      .filter((member) => member.status)
      .flatMap((member) => {
        const label = conversationLabel(config, member);
        if (!label) return [];
        return [member.topic ? label : rich(label, ' (topic left alone)')];
      }),
  );
}

export function postingStatusSection(ctx: PlaybookContext): Section {
  const { config } = ctx;
  const spec = commandSpec('status-update');
  const handles = botHandles(config);
  const reach = destinations(config);
  const blocks: Block[] = [
    paragraph(
      rich(
        bold('Who:'),
        ' the people on the ',
        link('#whitelist', 'whitelist'),
        '. ',
        bold('Where:'),
        ' in any incident channel or room',
        handles.length === 0 ? '' : ', or in a private message to firebell (',
        joinRich(handles, ' or '),
        handles.length === 0 ? '.' : ').',
      ),
    ),
    { kind: 'code', text: SYNTAX.join('\n') },
    {
      kind: 'table',
      head: [rich('Command'), rich('What happens'), rich('Use it when')],
      rows: KINDS.map(([command, effect, when]) => [
        cell(rich(code(command))),
        cell(rich(effect)),
        cell(rich(when)),
      ]),
    },
    paragraph(rich('Examples:')),
    { kind: 'code', text: spec.examples.join('\n') },
    paragraph(
      rich(
        bold('Common mistake:'),
        ' ',
        code('#status Pypi mirror problems causing gate failures. Please stand-by...'),
        ' has no kind, so it posts nothing: firebell answers with the usage and asks whether you meant ',
        code('#status alert Pypi mirror problems causing gate failures. Please stand-by...'),
        '. Always put ',
        code('alert'),
        ', ',
        code('notice'),
        ', ',
        code('log'),
        ' or ',
        code('ok'),
        ' right after ',
        code('#status'),
        '.',
      ),
    ),
  ];
  if (reach.length > 0) {
    blocks.push(paragraph(rich('Status updates reach:')), bulletList(reach));
  }
  if (config.statusbot.mode === 'external') {
    blocks.push(
      paragraph(
        rich(
          'Here the updates are carried out by another statusbot; the commands are the same. firebell recognises its notices as the status being posted.',
        ),
      ),
    );
  }
  return { id: 'posting-a-status', title: 'Posting a status', blocks };
}
