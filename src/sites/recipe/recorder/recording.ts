/** What the recorder saw while a person used the site: plain data, saved with `--save-recording`. */
export interface Recording {
  startUrl: string;
  /** The page URL at the end (often carries the thread id). */
  finalUrl: string;
  /** The message the person was asked to send. */
  prompt: string;
  /** The word the reply must contain. */
  replyWord: string;
  exchanges: RecordedExchange[];
  sockets: RecordedSocket[];
  events: RecordedDomEvent[];
  /** What the page showed at the end, analysed in the page (selectors for the reply etc.). */
  page?: PageFindings;
  /** The page's localStorage and sessionStorage at the end (a thread id kept there). */
  storage?: { local: Record<string, string>; session: Record<string, string> };
}

export interface MultipartPart {
  name: string;
  filename?: string;
  contentType?: string;
  /** Text parts only (files are not kept). */
  value?: string;
}

export interface RecordedExchange {
  /** Order of the request. */
  seq: number;
  url: string;
  method: string;
  resourceType: string;
  requestHeaders: Record<string, string>;
  /** Text bodies as sent. */
  requestBody?: string;
  /** Multipart bodies, part by part. */
  multipart?: MultipartPart[];
  status?: number;
  responseHeaders?: Record<string, string>;
  /** Text responses (JSON, event streams, HTML) up to a size limit. */
  responseBody?: string;
}

export interface RecordedSocket {
  url: string;
  frames: Array<{ direction: 'sent' | 'received'; data: string }>;
}

/** An element the person used, described by the selectors that find it (best first). */
export interface ElementDescription {
  tag: string;
  type?: string;
  selectors: string[];
}

export interface RecordedDomEvent {
  kind: 'click' | 'input' | 'change' | 'enter' | 'file';
  /** The page URL when it happened. */
  url: string;
  target: ElementDescription;
  /** Inputs: the value; selects: the chosen value; file inputs: the file count. */
  value?: string;
}

/** Selectors worked out in the page at the end of the recording. */
export interface PageFindings {
  reply?: string;
  thinking?: string;
  /** Options of the model picker, when it is a `<select>`. */
  modelOption?: { selector: string; idAttribute?: string };
  /** A thread list entry (`holder`, templated with the thread id) and its delete control inside. */
  deleteThread?: { holder: string; control: string };
}
