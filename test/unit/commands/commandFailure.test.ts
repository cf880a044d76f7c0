/**
 * How every command reports a failure (src/commands/commandFailure.ts, which registerCommand.ts wraps
 * around each handler): one line on screen, never a stack, control characters escaped; the log keeps a
 * bug's stack. The sink stands in for VS Code's showErrorMessage and log channel: this is pure logic.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CommandFailure, failingAs, failureLine, reportFailure, runReported, type FailureSink } from '../../../src/commands/commandFailure';

function sink(): FailureSink & { shown: string[]; logged: [string, string][] } {
  const shown: string[] = [];
  const logged: [string, string][] = [];
  return { shown, logged, showError: (line) => shown.push(line), log: (level, text) => logged.push([level, text]) };
}

describe('command failures', () => {
  it('say one line: the first of the message, prefixed, with controls escaped', () => {
    assert.equal(failureLine(new CommandFailure('node1 is not connected')), 'Nodescope: node1 is not connected');
    assert.equal(failureLine(new Error('ssh: handshake failed\n    at Client.connect (ssh2.js:1:1)')), 'Nodescope: ssh: handshake failed');
    assert.equal(failureLine(new CommandFailure('cannot enter c\u001b[31mX: gone')), 'Nodescope: cannot enter c\\x1b[31mX: gone');
    assert.equal(failureLine('a thrown string'), 'Nodescope: a thrown string');
    assert.equal(failureLine(new Error('')), 'Nodescope: failed without saying why');
  });

  it('escaping a line twice changes nothing (the agent escapes names in its messages already)', () => {
    const once = failureLine(new Error('x\u0007y'));
    assert.equal(failureLine(new Error(once.slice('Nodescope: '.length))), once);
  });

  it('failingAs says what the command was doing, and keeps the cause', async () => {
    const cause = new Error('permission denied (EACCES)\nmore');
    await assert.rejects(
      failingAs('cannot set the memory limit of web', async () => {
        throw cause;
      }),
      (err: unknown) =>
        err instanceof CommandFailure &&
        err.message === 'cannot set the memory limit of web: permission denied (EACCES)\nmore' &&
        err.cause === cause,
    );
    assert.equal(await failingAs('unused', async () => 7), 7);
  });

  it('an expected failure is a warning in the log; a bug logs its stack, but the screen gets one line either way', () => {
    const s = sink();
    reportFailure('nodescope.setLimit', new CommandFailure('node1 is not connected'), s);
    const bug = new TypeError("Cannot read properties of undefined (reading 'id')");
    reportFailure('nodescope.inspect', bug, s);
    assert.deepEqual(s.shown, ['Nodescope: node1 is not connected', "Nodescope: Cannot read properties of undefined (reading 'id')"]);
    assert.deepEqual(s.logged[0], ['warn', 'nodescope.setLimit: node1 is not connected']);
    assert.equal(s.logged[1][0], 'error');
    assert.match(s.logged[1][1], /^nodescope\.inspect: TypeError: Cannot read properties[^\n]*\n\s+at /, 'the stack, in the log only');
    for (const line of s.shown) assert.doesNotMatch(line, /\n|\bat \S+ \(/);
  });

  it('runReported never rejects: the failure is said once and VS Code adds nothing of its own', async () => {
    const s = sink();
    await runReported(
      'nodescope.diff',
      async () => {
        throw new Error('container.diff: not an overlay container');
      },
      s,
    );
    await runReported('nodescope.diff', () => 'done', s);
    await runReported('nodescope.diff', () => undefined, s);
    assert.deepEqual(s.shown, ['Nodescope: container.diff: not an overlay container']);
  });
});
