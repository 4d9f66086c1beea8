/**
 * The roles in an incident and who usually takes them. Incident commander and communications always
 * exist (firebell's commands imply them); the config may describe them differently and add its own.
 */
import type { Config } from '../../config/config.js';
import { bold, code, rich, type RichText } from '../../core/rich-text.js';
import { cell, paragraph, type Section } from '../document.js';
import type { PlaybookContext } from '../context.js';
import { nameList } from '../places.js';

/** Role ids that firebell describes itself unless the config does. */
export const INCIDENT_COMMANDER = 'incident-commander';
export const COMMUNICATIONS = 'communications';

interface RoleRow {
  readonly id: string;
  readonly name: string;
  readonly description: RichText;
  /** Said when no contact holds the role. */
  readonly whenNobody: string;
}

const BUILT_IN: readonly RoleRow[] = [
  {
    id: INCIDENT_COMMANDER,
    name: 'Incident commander',
    description: rich(
      'Owns the incident from ',
      code('!ack'),
      ' (or ',
      code('!assign'),
      ') to ',
      code('!resolved'),
      ': coordinates the fix, decides, and says what is going on. Hands over with ',
      code('!assign <who>'),
      ', or gives the incident back with ',
      code('!unack'),
      '.',
    ),
    whenNobody: 'whoever acknowledges first',
  },
  {
    id: COMMUNICATIONS,
    name: 'Communications',
    description: rich(
      'Keeps everyone outside the fix informed: ',
      code('#status alert'),
      ' when it starts, ',
      code('#status notice'),
      ' as it goes, ',
      code('#status ok'),
      ' when it is over. Must be on the whitelist.',
    ),
    whenNobody: 'the incident commander, or anyone on the whitelist',
  },
];

function roleRows(config: Config): RoleRow[] {
  const configured = new Map(config.roles.map((role) => [role.id, role]));
  const rows: RoleRow[] = BUILT_IN.map((row) => {
    const own = configured.get(row.id);
    return own ? { ...row, name: own.name, description: rich(own.description) } : row;
  });
  for (const role of config.roles) {
    if (rows.some((row) => row.id === role.id)) continue;
    rows.push({
      id: role.id,
      name: role.name,
      description: rich(role.description),
      whenNobody: 'nobody named',
    });
  }
  // Roles that contacts name but the config does not describe still show, under their id.
  for (const id of new Set(config.contacts.flatMap((contact) => contact.roles))) {
    if (rows.some((row) => row.id === id)) continue;
    rows.push({
      id,
      name: id,
      description: rich('(not described in the configuration)'),
      whenNobody: 'nobody named',
    });
  }
  return rows;
}

/** The name a role goes by in the play book, built-in or from the config. */
export function roleName(config: Config, id: string): string {
  return (
    config.roles.find((role) => role.id === id)?.name ?? BUILT_IN.find((row) => row.id === id)?.name ?? id
  );
}

export function rolesSection(ctx: PlaybookContext): Section {
  const { config } = ctx;
  const holders = (id: string): string[] =>
    config.contacts.filter((contact) => contact.roles.includes(id)).map((contact) => contact.name);
  const rows = roleRows(config).map((row) => {
    const names = holders(row.id);
    return [
      cell(rich(bold(row.name))),
      cell(row.description),
      cell(rich(names.length === 0 ? row.whenNobody : nameList(names))),
    ];
  });
  return {
    id: 'roles',
    title: 'Roles',
    blocks: [
      paragraph(
        rich(
          'Whoever notices the problem declares it with ',
          code('!incident'),
          ' and needs no role. Once someone acknowledges, these are the roles; one person may hold several.',
        ),
      ),
      {
        kind: 'table',
        head: [rich('Role'), rich('What they do'), rich('Usually taken by')],
        rows: [...rows],
        rowHeaders: true,
      },
    ],
  };
}
