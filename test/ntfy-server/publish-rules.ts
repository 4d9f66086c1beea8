/**
 * ntfy's documented publish API (docs.ntfy.sh/publish), as rules the test server checks every request
 * against: a JSON body POSTed/PUT to the root URL, or a body to /<topic> with headers (X-Title and its
 * aliases, X-Priority, X-Tags, X-Click, X-Actions as a JSON array). Anything the documentation does not
 * allow is answered as ntfy answers it: 400 with its JSON error shape.
 */

export interface NtfyAction {
  readonly action: 'view' | 'broadcast' | 'http' | 'copy';
  readonly label: string;
  readonly url?: string;
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly clear?: boolean;
}

export interface PublishRequest {
  readonly topic: string;
  readonly message: string;
  readonly title?: string;
  readonly priority: number;
  readonly tags: readonly string[];
  readonly click?: string;
  readonly actions: readonly NtfyAction[];
  readonly sequenceId?: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: string };

const TOPIC = /^[-_A-Za-z0-9]{1,64}$/;
/** The JSON fields the publish documentation lists; any other key is a mistake in the client. */
const JSON_FIELDS = new Set([
  'topic',
  'message',
  'title',
  'tags',
  'priority',
  'actions',
  'click',
  'attach',
  'markdown',
  'icon',
  'filename',
  'delay',
  'email',
  'call',
  'sequence_id',
]);
const PRIORITY_NAMES: Record<string, number> = { min: 1, low: 2, default: 3, high: 4, max: 5, urgent: 5 };
const ACTION_KEYS = new Set([
  'action',
  'label',
  'url',
  'method',
  'headers',
  'body',
  'clear',
  'intent',
  'extras',
  'value',
]);
/** Messages over 4096 bytes become attachments on a real server; a page must never be one. */
const MESSAGE_LIMIT = 4096;

const fail = <T>(error: string): Checked<T> => ({ ok: false, error });

function isUrl(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function checkActions(raw: unknown): Checked<NtfyAction[]> {
  if (!Array.isArray(raw)) return fail('actions must be a JSON array');
  if (raw.length > 3) return fail('too many actions: at most 3');
  const actions: NtfyAction[] = [];
  for (const item of raw as unknown[]) {
    if (typeof item !== 'object' || item === null) return fail('each action must be an object');
    const action = item as Record<string, unknown>;
    const unknown = Object.keys(action).filter((key) => !ACTION_KEYS.has(key));
    if (unknown.length > 0) return fail(`unknown action keys: ${unknown.join(', ')}`);
    if (!['view', 'broadcast', 'http', 'copy'].includes(String(action.action)))
      return fail(`action must be view, broadcast, http or copy, not ${String(action.action)}`);
    if (typeof action.label !== 'string' || action.label === '') return fail('an action needs a label');
    if ((action.action === 'view' || action.action === 'http') && !isUrl(action.url))
      return fail(`a ${String(action.action)} action needs an http(s) url`);
    if (action.method !== undefined && !['GET', 'POST', 'PUT', 'DELETE'].includes(String(action.method)))
      return fail('method must be GET, POST, PUT or DELETE');
    if (action.clear !== undefined && typeof action.clear !== 'boolean')
      return fail('clear must be a boolean');
    if (action.body !== undefined && typeof action.body !== 'string') return fail('body must be a string');
    if (
      action.headers !== undefined &&
      (typeof action.headers !== 'object' ||
        action.headers === null ||
        Object.values(action.headers).some((value) => typeof value !== 'string'))
    )
      return fail('headers must be an object of strings');
    actions.push(action as unknown as NtfyAction);
  }
  return { ok: true, value: actions };
}

function checkCommon(fields: {
  topic: unknown;
  message: unknown;
  title: unknown;
  priority: unknown;
  tags: unknown;
  click: unknown;
  actions: unknown;
  sequenceId: unknown;
}): Checked<PublishRequest> {
  const { topic, message, title, priority, tags, click, actions, sequenceId } = fields;
  if (typeof topic !== 'string' || !TOPIC.test(topic)) return fail('invalid topic');
  if (message !== undefined && typeof message !== 'string') return fail('message must be a string');
  if (typeof message === 'string' && Buffer.byteLength(message) > MESSAGE_LIMIT)
    return fail('message too long: it would become an attachment');
  if (title !== undefined && typeof title !== 'string') return fail('title must be a string');
  if (typeof title === 'string' && /[\r\n]/.test(title)) return fail('title must be one line');
  if (
    priority !== undefined &&
    !(Number.isInteger(priority) && Number(priority) >= 1 && Number(priority) <= 5)
  )
    return fail('invalid priority: 1 to 5');
  if (tags !== undefined && !(Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')))
    return fail('tags must be an array of strings');
  if (click !== undefined && !isUrl(click)) return fail('click must be a URL');
  if (sequenceId !== undefined && (typeof sequenceId !== 'string' || !TOPIC.test(sequenceId)))
    return fail('invalid sequence_id: letters, digits, "-" and "_", at most 64');
  const checkedActions = actions === undefined ? { ok: true as const, value: [] } : checkActions(actions);
  if (!checkedActions.ok) return checkedActions;
  return {
    ok: true,
    value: {
      topic,
      message: typeof message === 'string' && message !== '' ? message : 'triggered',
      ...(typeof title === 'string' ? { title } : {}),
      priority: typeof priority === 'number' ? priority : 3,
      tags: (tags as string[] | undefined) ?? [],
      ...(typeof click === 'string' ? { click } : {}),
      actions: checkedActions.value,
      ...(typeof sequenceId === 'string' ? { sequenceId } : {}),
    },
  };
}

/** A JSON publish to the root URL. */
export function checkJsonPublish(body: string): Checked<PublishRequest> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return fail('invalid request: the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return fail('invalid request: expected a JSON object');
  const json = parsed as Record<string, unknown>;
  const unknown = Object.keys(json).filter((key) => !JSON_FIELDS.has(key));
  if (unknown.length > 0) return fail(`invalid request: unknown fields ${unknown.join(', ')}`);
  return checkCommon({ ...json, sequenceId: json.sequence_id } as Parameters<typeof checkCommon>[0]);
}

type Headers = Readonly<Record<string, string | string[] | undefined>>;

const header = (headers: Headers, ...names: string[]): string | undefined => {
  for (const name of names) {
    const value = headers[name.toLowerCase()];
    if (value !== undefined) return Array.isArray(value) ? value.join(',') : value;
  }
  return undefined;
};

/** A body POSTed/PUT to /<topic>, with the documented headers and their aliases. */
export function checkHeaderPublish(topic: string, headers: Headers, body: string): Checked<PublishRequest> {
  const priorityText = header(headers, 'x-priority', 'priority', 'prio', 'p');
  const priority =
    priorityText === undefined ? undefined : (PRIORITY_NAMES[priorityText] ?? Number(priorityText));
  const tags = header(headers, 'x-tags', 'tags', 'tag', 'ta');
  const actionsText = header(headers, 'x-actions', 'actions', 'action');
  let actions: unknown;
  if (actionsText !== undefined) {
    if (!actionsText.trim().startsWith('['))
      return fail('this test server reads X-Actions only as a JSON array; publish as JSON instead');
    try {
      actions = JSON.parse(actionsText);
    } catch {
      return fail('X-Actions is not valid JSON');
    }
  }
  return checkCommon({
    topic,
    message: body,
    title: header(headers, 'x-title', 'title', 'ti', 't'),
    priority,
    tags: tags?.split(',').map((tag) => tag.trim()),
    click: header(headers, 'x-click', 'click'),
    actions,
    sequenceId: header(headers, 'x-sequence-id', 'sequence-id', 'sid'),
  });
}
