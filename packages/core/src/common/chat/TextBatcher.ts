/**
 * Coalesces streamed text so a fast model does not send one message per token across two process
 * boundaries. The first chunk goes out at once (time to first token is what users feel); later chunks are
 * grouped for at most `intervalMs`.
 */
export class TextBatcher {
  private text = '';
  private tokens = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sentFirst = false;

  constructor(
    private readonly send: (text: string, tokens: number) => void,
    private readonly intervalMs = 16,
  ) {}

  push(text: string, tokens = 1): void {
    this.text += text;
    this.tokens += tokens;
    if (!this.sentFirst) {
      this.sentFirst = true;
      this.flush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flush(), this.intervalMs);
    }
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.text && !this.tokens) return;
    const { text, tokens } = this;
    this.text = '';
    this.tokens = 0;
    this.send(text, tokens);
  }
}
