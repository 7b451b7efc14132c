// Tests written to kill mutants that survived the mutation runs of issue 13
// (scripts/mutate-js.sh, scripts/mutate-core.sh; results in docs/testing.md "Mutation testing").
// Each test names the rule it holds; the mutants are listed in docs/testing.md.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { ERRORS } from '../../npm/dist/core/abi.js';
import { AbortError, ErrorCode, errorClassFor, LLMStreamError, scrub } from '../../npm/src/errors.js';

const RETRYABLE = ERRORS.find((e) => e.retryable && e.name !== 'none').name;
const NOT_RETRYABLE = ERRORS.find((e) => !e.retryable && e.name !== 'none').name;

describe('errors.js rules (mutation_kills)', () => {
  test("ErrorCode lists every code but 'none'", () => {
    assert.equal(ErrorCode.NONE, undefined);
    assert.ok(!Object.values(ErrorCode).includes('none'));
    assert.equal(Object.keys(ErrorCode).length, ERRORS.length - 1);
  });

  test('a cause is kept; without one the error has no cause property at all', () => {
    const cause = new Error('underlying');
    assert.equal(new LLMStreamError('m', { cause }).cause, cause);
    assert.equal(Object.hasOwn(new LLMStreamError('m'), 'cause'), false);
    assert.equal(Object.hasOwn(new LLMStreamError('m', { code: ErrorCode.NETWORK }), 'cause'), false);
  });

  test('retryAfterMs keeps a number >= 0 (0 included), drops anything else; retryAfter is it in seconds', () => {
    assert.equal(new LLMStreamError('m', { retryAfterMs: 1500 }).retryAfter, 1.5);
    const zero = new LLMStreamError('m', { retryAfterMs: 0 });
    assert.equal(zero.retryAfterMs, 0);
    assert.equal(zero.retryAfter, 0);
    for (const bad of [-1, '2000', null, undefined]) {
      const e = new LLMStreamError('m', { retryAfterMs: bad });
      assert.equal(e.retryAfterMs, undefined, String(bad));
      assert.equal(e.retryAfter, undefined, String(bad));
    }
  });

  test('retryable comes from the table; an unknown code is not retryable and does not throw', () => {
    assert.equal(new LLMStreamError('m', { code: RETRYABLE }).retryable, true);
    assert.equal(new LLMStreamError('m', { code: NOT_RETRYABLE }).retryable, false);
    assert.equal(new LLMStreamError('m', { code: 'no_such_code' }).retryable, false);
  });

  test('partial is writable, configurable and not enumerable', () => {
    const e = new LLMStreamError('m');
    assert.equal(e.partial, null);
    e.partial = { text: 'so far' };  // ES modules are strict: a read-only property would throw
    assert.deepEqual(e.partial, { text: 'so far' });
    const d = Object.getOwnPropertyDescriptor(e, 'partial');
    assert.equal(d.configurable, true);
    assert.equal(d.enumerable, false);
  });

  test('AbortError has its default message', () => {
    assert.equal(new AbortError().message, 'The stream was aborted');
  });

  test('errorClassFor an unknown code is LLMStreamError, without throwing', () => {
    assert.equal(errorClassFor('no_such_code'), LLMStreamError);
    assert.equal(errorClassFor(undefined), LLMStreamError);
  });

  test('scrub: null/undefined text is the empty string', () => {
    assert.equal(scrub(undefined, ['secret-value']), '');
    assert.equal(scrub(null), '');
  });

  test('scrub masks secrets of 4+ characters only (exactly 4 included)', () => {
    assert.equal(scrub('key abcd here', ['abcd']), 'key [redacted] here');
    assert.equal(scrub('a b c abc', ['b', 'abc', '']), 'a b c abc');
    assert.equal(scrub('x sk-12345 y', [undefined, null, 'sk-12345']), 'x [redacted] y');
  });
});
