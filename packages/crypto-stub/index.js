'use strict';
// matrix-bot-sdk requires this module when it loads, even when no encryption is used. Every export is a
// function that throws, so loading works and any use fails with a message that says why.
const MESSAGE =
  'end-to-end encryption is not available in this build of firebell: ' +
  '@matrix-org/matrix-sdk-crypto-nodejs is replaced by a stub (see packages/crypto-stub)';

class EncryptionUnavailableError extends Error {
  constructor() {
    super(MESSAGE);
    this.name = 'EncryptionUnavailableError';
  }
}

function unavailable() {
  throw new EncryptionUnavailableError();
}

module.exports = new Proxy(
  { EncryptionUnavailableError, isFirebellStub: true },
  {
    get(target, property) {
      if (property in target) return target[property];
      if (property === '__esModule' || property === 'then' || typeof property === 'symbol') return undefined;
      return unavailable;
    },
  },
);
