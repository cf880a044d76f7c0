/**
 * Whatever arrives on the agent's channel gets an error, a bounded one, and never ends the agent: bodies
 * that are not JSON, JSON that is not a request, methods that exist only on Object.prototype, parameters
 * of every wrong type, 50 MB strings. Written as raw frames on the agent's stdin (no client library
 * shaping them), replies read back from its stdout. Nothing here may act on the node: launch and limit
 * requests carry dryRun, the audit log goes to a temporary file.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { StreamMessageReader } from 'vscode-jsonrpc/node';
import { inCI, probes, rigUp, skipUnlessReal } from '../support/real';
import { agentJs, built, running, until } from '../support/agentProcess';
import { ErrorCodes, PROTOCOL_VERSION } from '../../server/protocol';

const skip = skipUnlessReal(probes.root, probes.docker, built);

interface Reply {
  id: string | number | null;
  result?: unknown;
  error?: { code: number; message: string };
}

/** The agent on pipes, fed raw frames; every reply kept with its size on the wire. */
class RawAgent {
  readonly child: ChildProcess;
  readonly replies: (Reply & { bytes: number })[] = [];
  stderr = '';
  private nextId = 1;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, ['--max-old-space-size=1024', agentJs], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    new StreamMessageReader(this.child.stdout!).listen(
      (m) => void this.replies.push({ ...(m as unknown as Reply), bytes: Buffer.byteLength(JSON.stringify(m)) }),
    );
  }

  /** One frame with `body` as given (a string or bytes), announced with its real length unless told otherwise. */
  frame(body: string | Buffer, header?: string): void {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    this.child.stdin!.write(`${header ?? `Content-Length: ${bytes.length}`}\r\n\r\n`);
    this.child.stdin!.write(bytes);
  }

  /** A request with a fresh id, written as JSON by hand (`params` already JSON text); resolves with its reply. */
  async ask(method: string, paramsJson = '{}', ms = 60_000): Promise<Reply & { bytes: number }> {
    const id = this.nextId++;
    this.frame(`{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${paramsJson}}`);
    return until(`a reply to ${method.slice(0, 40)} (id ${id})`, () => this.replies.find((r) => r.id === id), ms);
  }

  /** The next `n` replies with id null that arrive after `from` replies were seen. */
  async nullReplies(from: number, n: number): Promise<Reply[]> {
    return until(`${n} replies with id null`, () => {
      const got = this.replies.slice(from).filter((r) => r.id === null);
      return got.length >= n && got;
    });
  }
}

/** An error reply of one bounded line: never a result, never an internal failure. */
function assertRefused(r: Reply & { bytes: number }, what: string, code?: number): void {
  assert.ok(r.error, `${what}: refused, not answered (${JSON.stringify(r.result)?.slice(0, 200)})`);
  assert.notEqual(r.error.code, ErrorCodes.InternalError, `${what}: not an internal failure: ${r.error.message}`);
  if (code !== undefined) assert.equal(r.error.code, code, `${what}: ${r.error.message}`);
  assert.doesNotMatch(r.error.message, /\n/, `${what}: one line`);
  assert.ok(r.bytes < 2048, `${what}: a bounded reply (${r.bytes} bytes)`);
}

describe('the agent under fuzzed JSON-RPC input', { skip }, () => {
  let agent: RawAgent;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-fuzz-'));
  const huge = 'x'.repeat(50 * 1024 * 1024);

  before(async () => {
    rigUp();
    agent = new RawAgent({ ...process.env, NODESCOPE_AUDIT_LOG: path.join(dir, 'audit.log') });
  });
  after(async () => {
    agent.child.stdin!.end();
    await until('the agent to exit', () => agent.child.exitCode !== null || agent.child.signalCode !== null).catch(() =>
      agent.child.kill('SIGKILL'),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers methods of Object.prototype and other non-methods as unknown, before and after the handshake', async () => {
    const names = [
      'toString',
      'hasOwnProperty',
      '__proto__',
      'constructor',
      'valueOf',
      'isPrototypeOf',
      '__defineGetter__',
      'handlers',
      'dispatch',
      'snapshot ',
      '',
    ];
    for (const m of names) {
      const r = await agent.ask(m);
      assertRefused(r, `${m} before initialize`, ErrorCodes.InvalidParams);
      assert.equal(r.error!.message, `call initialize before ${m}`);
    }
    const hello = await agent.ask('initialize', JSON.stringify({ clientVersion: 'fuzz', protocolVersion: PROTOCOL_VERSION }));
    assert.ok(hello.result, JSON.stringify(hello.error));
    for (const m of names) {
      const r = await agent.ask(m);
      assertRefused(r, m, ErrorCodes.MethodNotFound);
      assert.equal(r.error!.message, `unknown method "${m}"`);
    }
    assert.doesNotMatch(agent.stderr, /\n\s+at /, 'no stack trace on stderr');
  });

  it('answers bodies that are not JSON with a parse error, and frames that are not JSON-RPC with an invalid request', async () => {
    const seen = agent.replies.length;
    const notJson = ['{', 'nul', '{"jsonrpc":"2.0","id":1,"method":"snapshot"', "{'a':1}", Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x80])];
    for (const body of notJson) agent.frame(body);
    const parse = await agent.nullReplies(seen, notJson.length);
    for (const r of parse) assert.equal(r.error?.code, ErrorCodes.ParseError, JSON.stringify(r));

    const seen2 = agent.replies.length;
    const notRpc = [
      '[]',
      '[{"jsonrpc":"2.0","id":1,"method":"snapshot"}]',
      '42',
      '"snapshot"',
      'null',
      'true',
      '{}',
      '{"jsonrpc":"2.0","id":{},"method":"snapshot"}',
      '{"jsonrpc":"2.0","id":[1],"method":"x"}',
      '{"jsonrpc":"2.0","method":5,"id":"f3"}',
      '{"jsonrpc":"2.0","id":"f4","method":"layer.scan","params":42}',
      '{"jsonrpc":"2.0","method":"$/cancelRequest","params":{}}',
    ];
    for (const body of notRpc) agent.frame(body);
    const invalid = await agent.nullReplies(seen2, notRpc.length - 2);
    for (const r of invalid) assert.equal(r.error?.code, ErrorCodes.InvalidRequest, JSON.stringify(r));
    // With an id it could read, the reply carries it.
    for (const id of ['f3', 'f4']) {
      const r = await until(`the reply to id ${id}`, () => agent.replies.find((x) => x.id === id));
      assert.equal(r.error?.code, ErrorCodes.InvalidRequest);
    }
    agent.frame('{"id":"f5","method":"snapshot"}');
    const noVersion = await until('the reply to id f5', () => agent.replies.find((x) => x.id === 'f5'));
    assert.equal(noVersion.error?.code, ErrorCodes.InvalidRequest);
    assert.match(noVersion.error.message, /"jsonrpc" must be "2\.0"/);

    // A header without a length, then one whose length is not a number: errors, and the stream stays in step.
    // (One at a time: the reader stops at a broken header until more input comes.)
    const seen3 = agent.replies.length;
    agent.frame('', 'Content-Type: application/json');
    await agent.nullReplies(seen3, 1);
    agent.frame('', 'Content-Length: abc');
    await agent.nullReplies(seen3, 2);
    const alive = await agent.ask('layer.scan', '{"path":"/nonexistent-nodescope-fuzz"}');
    assertRefused(alive, 'a request after broken frames', ErrorCodes.NotFound);
  });

  it('refuses parameters of every wrong type, without an internal failure', async () => {
    const c = '"nodescope-rig-limited"';
    const cases: [string, string][] = [];
    const wrong = ['null', '[1,2]', '-1', '1.5', '1e308', 'true', '""', '"relative/path"', '{"a":{"b":[]}}'];
    const fields: Record<string, string[]> = {
      'layer.scan': ['path'],
      whence: ['container', 'path'],
      pagecache: ['target', 'top'],
      'container.diff': ['container', 'limit'],
      'files.stat': ['container', 'path'],
      'files.list': ['container', 'path'],
      'files.read': ['container', 'path'],
      'enter.options': ['container', 'pid'],
      'enter.plan': ['container', 'pid', 'shell', 'user', 'command'],
      'limit.set': ['container', 'memoryBytes', 'pidsMax', 'cpus', 'dryRun'],
      'launch.start': ['from', 'name', 'command', 'memoryBytes', 'pidsMax', 'cpus', 'readOnly', 'tmpfs', 'dryRun'],
      'launch.stop': ['container', 'dryRun'],
    };
    // Each field wrong while the others are right (a real container, a real path), so the check of that field is what answers.
    const good: Record<string, string> = { path: '"/etc"', container: c, from: c, target: c, command: '["true"]', dryRun: 'true' };
    for (const [method, keys] of Object.entries(fields)) {
      for (const key of keys) {
        for (const v of wrong) {
          const params = Object.fromEntries(keys.filter((k) => k in good).map((k) => [k, good[k]]));
          params[key] = v;
          if (key === 'dryRun' && v === 'true') continue;
          cases.push([
            method,
            `{${Object.entries(params)
              .map(([k, val]) => `"${k}":${val}`)
              .join(',')}}`,
          ]);
        }
      }
      cases.push([method, '[]'], [method, '{}']);
    }
    const answered: string[] = [];
    for (const [method, params] of cases) {
      const r = await agent.ask(method, params);
      assert.ok(r.bytes < 1 << 20 || r.result, `${method} ${params}: bounded`);
      if (r.error) assertRefused(r, `${method} ${params}`);
      // Some wrong-looking values are valid ("" as an absent shell, 1e308 as a huge limit with dryRun): no action followed.
      else answered.push(`${method} ${params}`);
    }
    assert.ok(running(agent.child.pid!), 'still running');
    assert.doesNotMatch(agent.stderr, /\n\s+at /, `no stack trace on stderr: ${agent.stderr.slice(-2000)}`);
    // Nothing was launched: every launch carried dryRun, and the runc state directory holds no fuzz name.
    assert.ok(!fs.existsSync('/run/runc') || fs.readdirSync('/run/runc').every((n) => !n.includes('"')));
    void answered;
  });

  it('bounds what it echoes of a 50 MB method name, container name and path, and keeps answering', async () => {
    const asks: [string, string, number][] = [
      [huge, '{}', ErrorCodes.MethodNotFound],
      ['whence', `{"container":"${huge}","path":"/etc"}`, ErrorCodes.NotFound],
      ['layer.scan', `{"path":"${huge}"}`, ErrorCodes.InvalidParams],
      ['layer.scan', `{"path":"/${huge}"}`, ErrorCodes.NotFound],
      ['enter.plan', `{"container":"nodescope-rig-limited","user":"${huge}"}`, ErrorCodes.InvalidParams],
      ['launch.start', `{"from":"nodescope-rig-limited","name":"${huge}","dryRun":true}`, ErrorCodes.InvalidParams],
    ];
    for (const [method, params, code] of asks) {
      const r = await agent.ask(method, params, 120_000);
      assertRefused(r, `${method.slice(0, 20)} with 50 MB`, code);
      assert.ok(r.error!.message.length < 1200, `${r.error!.message.length} characters`);
    }
    // Deeply nested parameters are still only a wrong type.
    const deep = await agent.ask('layer.scan', `{"path":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    assertRefused(deep, 'nested 100,000 deep', ErrorCodes.InvalidParams);
    const after = await agent.ask('layer.scan', '{"path":"/nonexistent-nodescope-fuzz"}');
    assertRefused(after, 'a request after the huge ones', ErrorCodes.NotFound);
    assert.ok(running(agent.child.pid!), 'still running');
    assert.ok(agent.stderr.length < 64 * 1024, `stderr stays small (${agent.stderr.length} bytes)`);
  });
});

if (inCI && skip) throw new Error(`agent fuzz suite cannot run in CI: ${skip}`);
