/**
 * How often firebell answers one person it cannot verify. Anyone may talk to the bot, and someone typing
 * commands without pause (a troll, a misconfigured bot, a fuzzer) would otherwise fill the urgent lane with
 * answers that go out ahead of the incident's own announcements and prompts: at IRC's pacing a few lines a
 * second hold those back for as long as it lasts. So a stranger gets a handful of answers at once and then
 * one every few seconds, told once when the answers pause. What they typed is still handled (a refused
 * command stays refused, a declaration still declares); only the answers are spared. Verified contacts are
 * never limited: an operator acknowledging twenty incidents in a storm hears every answer.
 *
 * The count is per network and sender id (an IRC nick): a stranger who changes nick starts afresh, which
 * costs them a NICK per handful of lines, within the server's own flood limits.
 */
import { BoundedMap } from '../bounded-map.js';

/** Answers a stranger gets at once. */
export const STRANGER_BURST = 5;
/** After the burst, one more answer per this long. */
export const STRANGER_REFILL_MS = 10_000;

export type StrangerAnswer = 'answer' | 'pause-notice' | 'silent';

interface Allowance {
  tokens: number;
  at: number;
  /** The pause was announced and no answer went out since. */
  told: boolean;
}

export class StrangerReplies {
  private readonly allowances = new BoundedMap<string, Allowance>(10_000);

  /** Whether the stranger `sender` on `network` gets this answer, a note that answers pause, or nothing. */
  take(network: string, sender: string, at: number): StrangerAnswer {
    const key = `${network}\u0000${sender.toLowerCase()}`;
    const known = this.allowances.get(key);
    const allowance = known ?? { tokens: STRANGER_BURST, at, told: false };
    const refilled = Math.floor(Math.max(0, at - allowance.at) / STRANGER_REFILL_MS);
    if (refilled > 0) {
      allowance.tokens = Math.min(STRANGER_BURST, allowance.tokens + refilled);
      allowance.at += refilled * STRANGER_REFILL_MS;
    }
    if (allowance.tokens >= STRANGER_BURST) allowance.at = at;
    let answer: StrangerAnswer;
    if (allowance.tokens > 0) {
      allowance.tokens -= 1;
      allowance.told = false;
      answer = 'answer';
    } else {
      answer = allowance.told ? 'silent' : 'pause-notice';
      allowance.told = true;
    }
    this.allowances.set(key, allowance);
    return answer;
  }
}

/** The one line a stranger hears when their answers pause. */
export const PAUSE_NOTICE = `You are asking faster than I answer people I cannot verify; I will answer you again in ${STRANGER_REFILL_MS / 1000} seconds.`;
