// The unknown-host-key question is answered as OpenSSH's confirm() reads it (checked against ssh 9.x:
// "y" gets "Please type 'yes', 'no' or the fingerprint", an empty line refuses). Pure logic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readHostKeyAnswer } from '../../../src/nodes/hostKeyAnswer';

const FP = 'SHA256:JEugxeXYqsY0dfaV/hdSQN31Pp0vLi5iGFvQb8cB1YA';

test('Enter alone refuses: the safe choice is the default', () => {
  assert.deepEqual(readHostKeyAnswer('', FP), { trust: false });
  assert.deepEqual(readHostKeyAnswer('   ', FP), { trust: false });
});

test('yes in any case, or the fingerprint itself, trusts; no refuses', () => {
  for (const yes of ['yes', 'YES', ' Yes ', FP, ` ${FP}\n`]) assert.deepEqual(readHostKeyAnswer(yes, FP), { trust: true }, yes);
  assert.deepEqual(readHostKeyAnswer('no', FP), { trust: false });
  assert.deepEqual(readHostKeyAnswer('NO', FP), { trust: false });
});

test("anything else is asked again: 'y', a near miss, another key's fingerprint", () => {
  for (const other of ['y', 'yess', 'ok', 'trust'])
    assert.match((readHostKeyAnswer(other, FP) as { askAgain: string }).askAgain, /type 'yes', 'no' or the fingerprint/);
  const wrong = readHostKeyAnswer('SHA256:AAAAxeXYqsY0dfaV/hdSQN31Pp0vLi5iGFvQb8cB1YA', FP) as { askAgain: string };
  assert.match(wrong.askAgain, /not the fingerprint this node presented/);
  assert.ok(wrong.askAgain.includes(FP));
  assert.ok('askAgain' in readHostKeyAnswer(FP.toLowerCase(), FP), 'a fingerprint is compared exactly, as OpenSSH does (strcmp)');
});
