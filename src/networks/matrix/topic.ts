/**
 * Room topics (`m.room.topic`). Setting one is an item of the outgoing scheduler (scheduler.ts); this
 * file reads topics and explains refusals. Setting a topic needs the power level the room's
 * `m.room.power_levels` asks for the event (50 by default, via `state_default`); when the homeserver says
 * M_FORBIDDEN for that reason, the refusal names the levels involved so an operator knows what to change.
 */
import type { MatrixClient } from 'matrix-bot-sdk';
import { classify, type Failure } from './failures.js';
import type { Lookup } from './retry.js';

export interface TopicDeps {
  readonly client: MatrixClient;
  readonly lookup: Lookup;
}

export async function readTopic(deps: TopicDeps, roomId: string): Promise<string | undefined> {
  try {
    const content = (await deps.lookup(`read the topic of ${roomId}`, () =>
      deps.client.getRoomStateEventContent(roomId, 'm.room.topic', ''),
    )) as { topic?: unknown };
    return typeof content.topic === 'string' ? content.topic : undefined;
  } catch (error) {
    if (classify(error).kind === 'not-found') return undefined;
    throw error;
  }
}

/**
 * After M_FORBIDDEN on a topic: the sentence for the operator when the bot's power level is too low, or
 * undefined when that is not the reason (the bot is not in the room, say).
 */
export async function topicRefusal(
  deps: TopicDeps,
  roomId: string,
  conversation: string,
  botUserId: string,
): Promise<string | undefined> {
  let content: {
    events?: Record<string, number>;
    state_default?: number;
    users?: Record<string, number>;
    users_default?: number;
  };
  try {
    content = (await deps.lookup(`read the power levels of ${roomId}`, () =>
      deps.client.getRoomStateEventContent(roomId, 'm.room.power_levels', ''),
    )) as typeof content;
  } catch {
    return undefined;
  }
  const needed = content.events?.['m.room.topic'] ?? content.state_default ?? 50;
  const has = content.users?.[botUserId] ?? content.users_default ?? 0;
  if (has >= needed) return undefined;
  return (
    `firebell may not change the topic of ${conversation}: that needs power level ${needed}, ` +
    `and firebell has ${has}; raise its level, or set the topic by hand`
  );
}

/** The reason a topic was not set, for the statusbot's report. */
export function topicFailure(conversation: string, failure: Failure): string {
  return failure.kind === 'forbidden'
    ? `firebell may not change the topic of ${conversation} (${failure.detail})`
    : `the homeserver did not take the new topic for ${conversation} (${failure.detail})`;
}
