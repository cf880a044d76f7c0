/** An input box's check from the parser that will read the answer: the parser's complaint, or null when it takes it. */
export function checkedBy(parse: (text: string) => unknown): (text: string) => string | null {
  return (text) => {
    try {
      parse(text);
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  };
}
