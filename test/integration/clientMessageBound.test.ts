/**
 * The client takes one message of at most MAX_MESSAGE_BYTES from an agent (issue 8, "Bounded everything"):
 * a broken or hostile agent that announces 10 GB and sends it, or one message over a lowered bound, ends
 * its channel, and the request fails with one line saying why, instead of the extension host growing
 * until it dies. The agent here is a real process the local transport starts, as it starts dist/agent.js:
 * a script that answers `initialize` properly and then answers `snapshot` with its hostile message.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { connectAgent } from '../../src/connection/agentClient';
import { openLocalTransport } from '../../src/connection/localTransport';
import { AgentError } from '../../server/agentError';
import { ClientErrorCodes } from '../../server/protocol';
import { probes, skipUnlessReal } from '../support/real';

const skip = skipUnlessReal(probes.root);

/** A JSON-RPC peer over stdio: `initialize` answered as the agent does, `snapshot` with MODE's message. */
const hostileAgent = `
const mode = process.env.HOSTILE_MODE;
let buf = Buffer.alloc(0);
const send = (obj) => { const body = Buffer.from(JSON.stringify(obj)); process.stdout.write('Content-Length: ' + body.length + '\\r\\n\\r\\n'); process.stdout.write(body); };
process.stdin.on('data', (d) => {
  buf = Buffer.concat([buf, d]);
  for (;;) {
    const end = buf.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    const len = Number(/Content-Length: (\\d+)/i.exec(buf.toString('latin1', 0, end))[1]);
    if (buf.length < end + 4 + len) return;
    const msg = JSON.parse(buf.toString('utf8', end + 4, end + 4 + len));
    buf = buf.subarray(end + 4 + len);
    if (msg.method === 'initialize') send({ jsonrpc: '2.0', id: msg.id, result: { agentVersion: 'hostile', protocolVersion: msg.params.protocolVersion, pid: process.pid, uid: 0, hostname: 'h', arch: 'x64', nodeVersion: process.version } });
    else if (msg.id !== undefined) answer(msg.id);
  }
});
process.stdin.on('end', () => process.exit(0));
function answer(id) {
  if (mode === 'over') {
    // A whole, valid answer, 2 MiB long: over a bound of 1 MiB.
    send({ jsonrpc: '2.0', id, result: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    return;
  }
  // 'endless': announces 10 GB and sends it, 1 MiB at a time, as fast as it is read.
  process.stdout.write('Content-Length: 10000000000\\r\\n\\r\\n');
  const chunk = Buffer.alloc(1024 * 1024, 0x78);
  const more = () => { while (process.stdout.write(chunk)); process.stdout.once('drain', more); };
  more();
}
`;

describe("a message from the agent over the client's bound", { skip, timeout: 60_000 }, () => {
  let dir = '';
  let agentPath = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-hostile-agent-'));
    agentPath = path.join(dir, 'agent.js');
    fs.writeFileSync(agentPath, hostileAgent);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function snapshotFrom(mode: string, maxMessageBytes?: number): Promise<{ err: unknown; ms: number; grewBytes: number }> {
    process.env.HOSTILE_MODE = mode;
    const transport = await openLocalTransport({ agentPath, useSudo: 'never' });
    delete process.env.HOSTILE_MODE;
    const conn = await connectAgent(transport, { maxMessageBytes, deadlines: { snapshot: 30_000 } });
    const rss = process.memoryUsage().rss;
    const t = Date.now();
    const err = await conn.request('snapshot', {}).then(
      () => null,
      (e: unknown) => e,
    );
    const out = { err, ms: Date.now() - t, grewBytes: process.memoryUsage().rss - rss };
    await conn.close();
    return out;
  }

  it('10 GB announced and sent: refused at its header, in a moment, with bounded memory', async () => {
    const { err, ms, grewBytes } = await snapshotFrom('endless');
    assert.ok(err instanceof AgentError, `failed with an AgentError, not ${String(err)}`);
    assert.equal(err.code, ClientErrorCodes.ChannelLost);
    assert.match(err.message, /^agent on .* stopped answering: a message of 9\.3 GiB from the agent is over the 256 MiB a client takes$/);
    assert.ok(ms < 10_000, `answered in ${ms} ms`);
    assert.ok(grewBytes < 128 * 1024 * 1024, `the client grew by ${grewBytes} bytes`);
  });

  it('a whole 2 MiB answer over a bound of 1 MiB is refused; under a bound of 4 MiB it is taken', async () => {
    const over = await snapshotFrom('over', 1024 * 1024);
    assert.ok(over.err instanceof AgentError);
    assert.match(over.err.message, /a message of 2\.0 MiB from the agent is over the 1\.0 MiB a client takes$/);
    const under = await snapshotFrom('over', 4 * 1024 * 1024);
    assert.equal(under.err, null, 'the same answer under a larger bound is read');
  });
});
