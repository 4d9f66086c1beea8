/** One-tap acknowledgements over a core world, as firebell wires them (src/offchat/ack-links.ts). */
import { LinkAcks } from '../../src/core/offchat/link-acks.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Permission } from '../../src/core/settings.js';
import type { CoreWorld } from './core-world.js';

export const linkAcksOf = (w: CoreWorld, permission: Permission = 'verified'): LinkAcks =>
  new LinkAcks({
    service: w.firebell.service,
    directory: w.firebell.directory,
    journal: w.durable.journal,
    store: w.store,
    clock: w.clock,
    logger: silentLogger,
    permission,
  });
