import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'stream';
import { answerSudo, PromptWatch, sudoMarker } from '../../../src/connection/sudoPrompt';

function collect(stream: NodeJS.ReadableStream): () => string {
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString('utf8')));
  return () => text;
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('sudo prompt watching', () => {
  it('cuts the marker out, even split across chunks, and counts prompts', async () => {
    const marker = sudoMarker();
    const seen: number[] = [];
    const w = new PromptWatch(marker, (n) => seen.push(n));
    const out = collect(w);
    w.write('lecture\n');
    w.write(marker.slice(0, 5));
    await tick();
    assert.deepEqual(seen, [], 'half a marker is not a prompt');
    w.write(`${marker.slice(5)}\r\nüñí ok\n${marker}`);
    await tick();
    assert.deepEqual(seen, [1, 2]);
    assert.equal(out(), 'lecture\n\r\nüñí ok\n', 'multi-byte text survives byte-wise slicing');
  });

  it('releases held bytes that only looked like a marker start, after a short wait', async () => {
    const w = new PromptWatch(sudoMarker(), () => assert.fail('no prompt'));
    const out = collect(w);
    w.write('ctrl-a \u0001');
    await tick();
    assert.equal(out(), 'ctrl-a ', 'a possible marker start is held');
    await tick(150);
    assert.equal(out(), 'ctrl-a \u0001', 'and released when nothing follows');
  });

  it('writes the password at the first prompt only; a second prompt is a refusal', async () => {
    const marker = sudoMarker();
    const source = new PassThrough();
    const stdin = new PassThrough();
    const written = collect(stdin);
    let refused = 0;
    const out = collect(answerSudo(source, marker, stdin, 'pw', { atPrompt: true, refused: () => refused++ }));
    source.write('before ');
    await tick();
    assert.equal(written(), '', 'nothing written before sudo asks');
    source.write(`${marker}after`);
    await tick();
    assert.equal(written(), 'pw\n');
    source.write(`\nSorry, try again.\n${marker}`);
    await tick();
    assert.equal(written(), 'pw\n', 'never written twice');
    assert.equal(refused, 1);
    assert.equal(out(), 'before after\nSorry, try again.\n');
  });

  it('without a pty the password goes at once, ahead of anything the caller writes', async () => {
    const marker = sudoMarker();
    const source = new PassThrough();
    const stdin = new PassThrough();
    const written = collect(stdin);
    let refused = 0;
    answerSudo(source, marker, stdin, 'pw', { atPrompt: false, refused: () => refused++ }).resume();
    stdin.write('{"jsonrpc"…}');
    source.write(marker);
    await tick();
    assert.equal(written(), 'pw\n{"jsonrpc"…}');
    source.write(marker);
    await tick();
    assert.equal(refused, 1);
  });
});
