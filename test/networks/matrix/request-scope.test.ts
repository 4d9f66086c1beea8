import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StoppedError } from '../../../src/networks/matrix/failures.js';
import { RequestScope } from '../../../src/networks/matrix/request-scope.js';

test('a scope with many requests in flight raises no listener-leak warning, and closing it ends each one', async () => {
  const warnings: Error[] = [];
  // Only the leak warning: loading the SDK's `request` may warn of deprecations on newer Nodes meanwhile.
  const onWarning = (warning: Error) => {
    if (warning.name === 'MaxListenersExceededWarning') warnings.push(warning);
  };
  process.on('warning', onWarning);
  try {
    const scope = new RequestScope();
    const aborted: number[] = [];
    const answers: unknown[] = [];
    // Sixty requests at once, as a fan-out to many rooms makes; the fake never answers.
    for (let index = 0; index < 60; index += 1)
      scope.send(
        () => ({ abort: () => aborted.push(index) }),
        { uri: `http://homeserver.test/_matrix/client/v3/rooms/${index}/send` },
        (error) => answers.push(error),
      );
    const answered = scope.send(
      (_params, callback) => {
        callback(null, { statusCode: 200 }, '{}');
        return { abort: () => assert.fail('an answered request is not aborted') };
      },
      { uri: 'https://homeserver.test/_matrix/client/v3/sync' },
      (error) => assert.equal(error, null),
    );
    assert.ok(answered);
    scope.close();
    assert.equal(aborted.length, 60);
    assert.equal(answers.length, 60);
    assert.ok(answers.every((error) => error instanceof StoppedError));
    let late: unknown;
    scope.send(
      () => assert.fail('nothing is sent after close'),
      { uri: 'http://x' },
      (error) => (late = error),
    );
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(late instanceof StoppedError, 'a request after close fails at once');
    assert.deepEqual(
      warnings.map((warning) => warning.name),
      [],
    );
  } finally {
    process.off('warning', onWarning);
  }
});
