/** Accounts by network, as the play book shows them: services accounts belong to one network each. */
import { code, rich, type RichText } from '../../core/rich-text.js';

/** `account mquill on oftc, mq on libera`. */
export function ircAccountsText(accounts: Readonly<Record<string, string>>): RichText {
  const entries = Object.entries(accounts);
  return rich(
    entries.length === 1 ? 'account ' : 'accounts ',
    ...entries.flatMap(([network, account], index) => [
      ...(index > 0 ? [', '] : []),
      code(account),
      ` on ${network}`,
    ]),
  );
}
