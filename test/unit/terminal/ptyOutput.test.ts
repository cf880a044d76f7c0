import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exitCodeForVsCode, exitLine, PtyOutput } from '../../../src/terminal/ptyOutput';

describe('pty output', () => {
  it('decodes a UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('naïve → ok', 'utf8');
    const out = new PtyOutput();
    const cut = bytes.indexOf(0xe2) + 1; // inside the three bytes of "→"
    assert.equal(out.text(bytes.subarray(0, cut)) + out.text(bytes.subarray(cut)) + out.flush(), 'naïve → ok');
  });

  it('says how the process ended', () => {
    assert.match(exitLine(0, null), /exited with code 0/);
    assert.match(exitLine(130, null), /exited with code 130/);
    assert.match(exitLine(null, 'SIGKILL'), /ended by SIGKILL;/);
    assert.match(exitLine(null, 'SIGHUP'), /ended by SIGHUP \(the terminal hung up, or the connection to the node closed\)/);
  });

  it('tells VS Code a 0, and no other code: a non-zero one would show as an error notification', () => {
    assert.equal(exitCodeForVsCode(0), 0);
    for (const code of [1, 7, 130, 137]) assert.equal(exitCodeForVsCode(code), undefined, String(code));
    assert.equal(exitCodeForVsCode(undefined), undefined, 'the shell never ran');
  });
});
