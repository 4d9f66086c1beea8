/**
 * The server's lines about topics, for the TopicTracker: the topic on join (332, or 331 none; a join whose
 * NAMES ended without one has none), TOPIC changes (ours coming back confirm a change), and the refusals
 * that fail a pending change (482 not an operator on a +t channel, 442 not on it, 403 no such channel, and
 * a refused JOIN).
 */
import type { HandlerTable } from './line-dispatcher.js';
import type { TopicTracker } from './topic-tracker.js';

/** Why the server refused something about a channel, in words for the room. */
export function refusalReason(code: string, channel: string, serverText: string): string {
  switch (code) {
    case '482':
      return `firebell is not a channel operator in ${channel}, and only operators may change its topic (+t) (server: ${serverText})`;
    case '442':
      return `firebell is not in ${channel} (server: ${serverText})`;
    case '403':
      return `there is no channel ${channel} (server: ${serverText})`;
    default:
      return `${channel}: ${serverText}`;
  }
}

export function topicHandlers(topics: TopicTracker): HandlerTable {
  const channelRefused: HandlerTable[string] = (message) => {
    const [, channel = '', serverText = ''] = message.params;
    topics.refused(channel, refusalReason(message.command, channel, serverText));
  };
  const joinRefused: HandlerTable[string] = (message) => {
    const [, channel = '', serverText = ''] = message.params;
    topics.refused(channel, `${channel}: ${serverText}`);
  };
  return {
    '332': (message) => topics.observed(message.params[1] ?? '', message.params[2] ?? '', false),
    '331': (message) => topics.observed(message.params[1] ?? '', '', false),
    '366': (message) => topics.namesEnded(message.params[1] ?? ''),
    TOPIC: (message, { fromSelf }) =>
      topics.observed(message.params[0] ?? '', message.params[1] ?? '', fromSelf),
    '403': channelRefused,
    '442': channelRefused,
    '482': channelRefused,
    '405': joinRefused,
    '471': joinRefused,
    '473': joinRefused,
    '474': joinRefused,
    '475': joinRefused,
    '477': joinRefused,
  };
}
