/**
 * What the agent says on stderr that explains a silence. Its stdout carries JSON-RPC only; its stderr
 * carries diagnostics, and two kinds of line there matter to a client:
 *  - `nodescope-agent: stuck 10 s: reading mount table of pid 123`: a request is taking long, and what
 *    the agent is doing (named when a request passes its deadline: "snapshot: no answer in 30 s (…)");
 *  - `nodescope-agent: watch: …`: a live-update pass failed, so the tree would silently go stale.
 * Both transports feed every stderr chunk here. No vscode import.
 */
export type AgentNoteKind = 'stuck' | 'watch';

export interface AgentNote {
  kind: AgentNoteKind;
  /** The line without its `nodescope-agent: ` prefix, one line, control characters replaced. */
  text: string;
  /** When it arrived (ms since the epoch, this machine's clock). */
  at: number;
}

/** A line longer than this is cut: the agent's lines are short, and a runaway one must not grow memory. */
const MAX_LINE = 4096;
const MAX_TEXT = 300;

export class AgentStderr {
  private partial = '';
  private readonly latest = new Map<AgentNoteKind, AgentNote>();
  private readonly listeners: ((n: AgentNote) => void)[] = [];

  feed(chunk: Buffer | string, now = Date.now()): void {
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop()!.slice(0, MAX_LINE);
    for (const line of lines) this.take(line.slice(0, MAX_LINE), now);
  }

  /** The latest line of that kind, or null when the agent never said one. */
  latestOf(kind: AgentNoteKind): AgentNote | null {
    return this.latest.get(kind) ?? null;
  }

  onNote(listener: (n: AgentNote) => void): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  private take(line: string, at: number): void {
    const m = /^nodescope-agent: (stuck\b.*|watch: .*)$/.exec(line.replace(/\r$/, ''));
    if (!m) return;
    // The text names paths and processes a container controls: keep it one printable line.
    const text = m[1].replace(/[\x00-\x1f\x7f]/g, '?').slice(0, MAX_TEXT);
    const note: AgentNote = { kind: text.startsWith('stuck') ? 'stuck' : 'watch', text, at };
    this.latest.set(note.kind, note);
    for (const l of [...this.listeners]) l(note);
  }
}
