/**
 * Room topics (`m.room.topic`). Setting one needs the power level the room's `m.room.power_levels` asks
 * for the event (50 by default, via `state_default`); when the homeserver says M_FORBIDDEN, the reason
 * names the levels involved so an operator knows what to change.
 */
import type { MatrixClient } from 'matrix-bot-sdk';
import type { TopicResult } from '../../core/network.js';
import { classify } from './failures.js';

export async function readTopic(client: MatrixClient, roomId: string): Promise<string | undefined> {
  try {
    const content = (await client.getRoomStateEventContent(roomId, 'm.room.topic', '')) as {
      topic?: unknown;
    };
    return typeof content.topic === 'string' ? content.topic : undefined;
  } catch (error) {
    if (classify(error).kind === 'not-found') return undefined;
    throw error;
  }
}

export async function writeTopic(
  client: MatrixClient,
  roomId: string,
  conversation: string,
  botUserId: string,
  topic: string,
): Promise<TopicResult> {
  try {
    await client.sendStateEvent(roomId, 'm.room.topic', '', { topic });
    return { ok: true };
  } catch (error) {
    const failure = classify(error);
    if (failure.kind !== 'forbidden')
      return {
        ok: false,
        reason: `the homeserver did not take the new topic for ${conversation} (${failure.detail})`,
      };
    const levels = await powerLevels(client, roomId, botUserId);
    if (!levels)
      return {
        ok: false,
        reason: `firebell may not change the topic of ${conversation} (${failure.detail})`,
      };
    return {
      ok: false,
      reason:
        `firebell may not change the topic of ${conversation}: that needs power level ${levels.needed}, ` +
        `and firebell has ${levels.has}; raise its level, or set the topic by hand`,
    };
  }
}

async function powerLevels(
  client: MatrixClient,
  roomId: string,
  userId: string,
): Promise<{ needed: number; has: number } | undefined> {
  try {
    const content = (await client.getRoomStateEventContent(roomId, 'm.room.power_levels', '')) as {
      events?: Record<string, number>;
      state_default?: number;
      users?: Record<string, number>;
      users_default?: number;
    };
    return {
      needed: content.events?.['m.room.topic'] ?? content.state_default ?? 50,
      has: content.users?.[userId] ?? content.users_default ?? 0,
    };
  } catch {
    return undefined;
  }
}
