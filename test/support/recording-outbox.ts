/**
 * An Outbox that takes everything at once and remembers it: for tests and benchmarks of the core that
 * look at what firebell said, not at a network.
 */
import type { DeliveryOutcome } from '../../src/core/delivery.js';
import type { OutboundMessage } from '../../src/core/messages.js';
import type { Outbox } from '../../src/core/outbox.js';
import type { RichText } from '../../src/core/rich-text.js';

export class RecordingOutbox implements Outbox {
  readonly sent: OutboundMessage[] = [];
  readonly topics: Array<{ network: string; conversation: string; topic: string }> = [];

  constructor(
    private readonly now: () => number = () => 0,
    /** Called for each message as it is sent (benchmarks stamp the time here). */
    private readonly onSend: (message: OutboundMessage) => void = () => undefined,
    /** Keep nothing, only count (benchmarks that send millions). */
    private readonly keep = true,
  ) {}

  count = 0;

  send(message: OutboundMessage): Promise<DeliveryOutcome> {
    this.count += 1;
    if (this.keep) this.sent.push(message);
    this.onSend(message);
    return Promise.resolve({ status: 'delivered', at: this.now(), receipt: [] });
  }

  readonly edits: Array<{ network: string; conversation: string; incidentId: number; body: RichText }> = [];

  editAnnouncement(
    network: string,
    conversation: string,
    incidentId: number,
    body: RichText,
  ): Promise<DeliveryOutcome> {
    this.edits.push({ network, conversation, incidentId, body });
    return Promise.resolve({ status: 'delivered', at: this.now(), receipt: [] });
  }

  setTopic(network: string, conversation: string, topic: string): Promise<DeliveryOutcome> {
    this.topics.push({ network, conversation, topic });
    return Promise.resolve({ status: 'delivered', at: this.now(), receipt: [] });
  }
}
