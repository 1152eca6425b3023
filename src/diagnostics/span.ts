/** A place in a source file. Lines and columns are 1-based, as editors show them. */
export interface Span {
  file: string;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** 0-based offsets of the text in the file, where known: what fixes edit. */
  offset?: number;
  endOffset?: number;
}

export function fileSpan(file: string): Span {
  return { file, line: 1, col: 1, endLine: 1, endCol: 1 };
}
