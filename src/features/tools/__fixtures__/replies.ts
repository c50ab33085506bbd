import type { ToolDefinition } from '../../../core/chat-request.ts';
import type { ToolCallProblemKind } from '../tool-call-problem.ts';

/**
 * Corpus of realistic model replies to the emulation prompt, with the events the parser must
 * produce. Expectations are written merged: consecutive text deltas as one string, each call as
 * `{ call, args }` (args as an object are compared as compact JSON; a string is compared verbatim).
 * Call ids are `call_1`, `call_2`… in emission order.
 */
export const CORPUS_TOOLS: ToolDefinition[] = [
  {
    name: 'get_weather',
    kind: 'function',
    description: 'Current weather for a city.',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string', description: 'City name' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['city'],
    },
  },
  {
    name: 'search_web',
    kind: 'function',
    description: 'Search the web.',
    parameters: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { query: { type: 'string' }, max_results: { type: 'integer', minimum: 1 } },
      required: ['query'],
    },
  },
  {
    name: 'read_file',
    kind: 'function',
    description: 'Read a file from the workspace.',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
  },
  {
    name: 'send_email',
    kind: 'function',
    parameters: {
      type: 'object',
      properties: { to: { type: 'string' }, subject: { type: 'string' }, body: { type: 'string' } },
      required: ['to', 'subject', 'body'],
      additionalProperties: false,
    },
  },
  { name: 'apply_patch', kind: 'custom', description: 'Apply a patch in the V4A diff format.' },
];

export type ExpectedEvent = string | { call: string; args: Record<string, unknown> | string };

export interface ReplyCase {
  name: string;
  reply: string;
  expected: ExpectedEvent[];
  /** Default true. */
  parallel?: boolean;
  /** The reply ended on the length limit. */
  truncated?: boolean;
  /** Problem kinds in order; default none. */
  problems?: ToolCallProblemKind[];
  /** Default: number of calls in `expected` minus calls with an `invalid-arguments` problem. */
  valid?: number;
  /** Default []. */
  narrated?: string[];
}

const weatherParis = { call: 'get_weather', args: { city: 'Paris' } };
const demoHeader =
  '[text-1] turn=1 attachments=0 sha256=- chars=61 digest=3f1a9c0b7d2e system=8c4d2b1a0f9e';
const patch = '*** Begin Patch\n*** Update File: src/app.ts\n@@\n-const a = 1;\n+const a = 2;\n*** End Patch';

export const REPLY_CORPUS: ReplyCase[] = [
  // ── well-formed ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'bare call',
    reply: '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'demo site reply with its header line',
    reply: `${demoHeader}\n\n<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>`,
    expected: [`${demoHeader}\n\n`, weatherParis],
  },
  {
    name: 'prose before the call',
    reply:
      'Let me check the current weather in Paris for you.\n\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius"}}</tool_call>',
    expected: [
      'Let me check the current weather in Paris for you.\n\n',
      { call: 'get_weather', args: { city: 'Paris', unit: 'celsius' } },
    ],
  },
  {
    name: 'prose before and after the call',
    reply:
      'Sure — checking.\n<tool_call>{"name": "read_file", "arguments": {"path": "src/index.ts"}}</tool_call>\n\nI will summarise the file once I have it.',
    expected: [
      'Sure — checking.\n',
      { call: 'read_file', args: { path: 'src/index.ts' } },
      'I will summarise the file once I have it.',
    ],
  },
  {
    name: 'two calls on separate lines',
    reply:
      '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n<tool_call>{"name": "get_weather", "arguments": {"city": "London"}}</tool_call>',
    expected: [weatherParis, { call: 'get_weather', args: { city: 'London' } }],
  },
  {
    name: 'three calls to different tools with prose between',
    reply:
      'First the weather:\n<tool_call>{"name":"get_weather","arguments":{"city":"Lyon"}}</tool_call>\nThen a search:\n<tool_call>{"name":"search_web","arguments":{"query":"Lyon events this weekend","max_results":5}}</tool_call>\n<tool_call>{"name":"read_file","arguments":{"path":"notes/lyon.md"}}</tool_call>',
    expected: [
      'First the weather:\n',
      { call: 'get_weather', args: { city: 'Lyon' } },
      'Then a search:\n',
      { call: 'search_web', args: { query: 'Lyon events this weekend', max_results: 5 } },
      { call: 'read_file', args: { path: 'notes/lyon.md' } },
    ],
  },
  {
    name: 'parallel disabled keeps only the first call',
    parallel: false,
    reply:
      '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n<tool_call>{"name": "get_weather", "arguments": {"city": "London"}}</tool_call>\nDone.',
    expected: [weatherParis, 'Done.'],
    problems: ['extra-call'],
  },
  {
    name: 'array of calls in one tag',
    reply:
      '<tool_call>[{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "read_file", "arguments": {"path": "a.txt"}}]</tool_call>',
    expected: [weatherParis, { call: 'read_file', args: { path: 'a.txt' } }],
  },
  {
    name: 'pretty-printed JSON body',
    reply:
      '<tool_call>\n{\n  "name": "send_email",\n  "arguments": {\n    "to": "ana@example.com",\n    "subject": "Hi",\n    "body": "See you at 5."\n  }\n}\n</tool_call>',
    expected: [{ call: 'send_email', args: { to: 'ana@example.com', subject: 'Hi', body: 'See you at 5.' } }],
  },
  {
    name: 'name attribute with arguments as the body',
    reply: 'Checking Berlin.\n<tool_call name="get_weather">{"city": "Berlin"}</tool_call>',
    expected: ['Checking Berlin.\n', { call: 'get_weather', args: { city: 'Berlin' } }],
  },
  {
    name: 'single-quoted name attribute and an id attribute',
    reply: "<tool_call id='1' name='get_weather'>{\"city\": \"Rome\"}</tool_call>",
    expected: [{ call: 'get_weather', args: { city: 'Rome' } }],
  },
  {
    name: 'function_call tag',
    reply: '<function_call>{"name": "search_web", "arguments": {"query": "node 20 release date"}}</function_call>',
    expected: [{ call: 'search_web', args: { query: 'node 20 release date' } }],
  },
  {
    name: 'tool_use tag with input key',
    reply: '<tool_use>{"name": "read_file", "input": {"path": "README.md"}}</tool_use>',
    expected: [{ call: 'read_file', args: { path: 'README.md' } }],
  },
  {
    name: 'upper-case tags and mixed closer',
    reply: '<TOOL_CALL>{"name": "get_weather", "arguments": {"city": "Paris"}}</function_call>',
    expected: [weatherParis],
  },
  {
    name: 'arguments as a JSON string',
    reply: '<tool_call>{"name": "get_weather", "arguments": "{\\"city\\": \\"Paris\\"}"}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'OpenAI-style function envelope',
    reply:
      '<tool_call>{"type": "function", "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'namespaced tool name',
    reply: '<tool_call>{"name": "functions.get_weather", "arguments": {"city": "Paris"}}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'tool name in another case and separator',
    reply: '<tool_call>{"name": "Get-Weather", "arguments": {"city": "Paris"}}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'history-style id attribute',
    reply: '<tool_call id="call_9">{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'text right after the closer on the same line',
    reply: '<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>Waiting for the result.',
    expected: [weatherParis, 'Waiting for the result.'],
  },
  {
    name: 'angle brackets and a tag-like word inside arguments',
    reply:
      '<tool_call>{"name": "search_web", "arguments": {"query": "why is a < b <tool> <b>bold</b>"}}</tool_call>',
    expected: [{ call: 'search_web', args: { query: 'why is a < b <tool> <b>bold</b>' } }],
  },
  // ── custom (free-text) tools ─────────────────────────────────────────────────────────────────
  {
    name: 'custom tool with raw multi-line input',
    reply: `I'll update the constant.\n<tool_call name="apply_patch">\n${patch}\n</tool_call>`,
    expected: ["I'll update the constant.\n", { call: 'apply_patch', args: patch }],
  },
  {
    name: 'custom tool through the JSON envelope',
    reply: `<tool_call>${JSON.stringify({ name: 'apply_patch', arguments: patch })}</tool_call>`,
    expected: [{ call: 'apply_patch', args: patch }],
  },
  // ── code fences ──────────────────────────────────────────────────────────────────────────────
  {
    name: 'xml fence around the call',
    reply: 'Here is the call:\n```xml\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n```',
    expected: ['Here is the call:\n', weatherParis],
  },
  {
    name: 'json fence around two calls, text after',
    reply:
      '```json\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n<tool_call>{"name": "get_weather", "arguments": {"city": "Nice"}}</tool_call>\n```\nBoth requested.',
    expected: [weatherParis, { call: 'get_weather', args: { city: 'Nice' } }, 'Both requested.'],
  },
  {
    name: 'bare fence, call on the fence line',
    reply: '```<tool_call>{"name": "read_file", "arguments": {"path": "x.py"}}</tool_call>```',
    expected: [{ call: 'read_file', args: { path: 'x.py' } }],
  },
  {
    name: 'fence inside the tags',
    reply: '<tool_call>\n```json\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n```\n</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'ordinary code block before a call stays text',
    reply:
      'Compare:\n```python\nprint(1 < 2)\n```\n<tool_call>{"name": "read_file", "arguments": {"path": "cmp.py"}}</tool_call>',
    expected: ['Compare:\n```python\nprint(1 < 2)\n```\n', { call: 'read_file', args: { path: 'cmp.py' } }],
  },
  {
    name: 'separately fenced calls',
    reply:
      '```xml\n<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>\n```\n\n```xml\n<tool_call>{"name":"get_weather","arguments":{"city":"Oslo"}}</tool_call>\n```\n',
    expected: [weatherParis, { call: 'get_weather', args: { city: 'Oslo' } }],
  },
  // ── malformed JSON ───────────────────────────────────────────────────────────────────────────
  {
    name: 'trailing commas',
    reply: '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "unit": "celsius",},}</tool_call>',
    expected: [{ call: 'get_weather', args: { city: 'Paris', unit: 'celsius' } }],
  },
  {
    name: 'single quotes',
    reply: "<tool_call>{'name': 'get_weather', 'arguments': {'city': 'Paris'}}</tool_call>",
    expected: [weatherParis],
  },
  {
    name: 'raw newlines inside a string',
    reply:
      '<tool_call>{"name": "send_email", "arguments": {"to": "bo@example.com", "subject": "Notes", "body": "Line one\nLine two\n\nBye"}}</tool_call>',
    expected: [
      { call: 'send_email', args: { to: 'bo@example.com', subject: 'Notes', body: 'Line one\nLine two\n\nBye' } },
    ],
  },
  {
    name: 'missing closing braces before the closer',
    reply: '<tool_call>{"name": "get_weather", "arguments": {"city": "Oslo"</tool_call>',
    expected: [{ call: 'get_weather', args: { city: 'Oslo' } }],
  },
  {
    name: 'missing closing tag at the end of the reply',
    reply: 'Checking.\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}',
    expected: ['Checking.\n', weatherParis],
  },
  {
    name: 'missing closing tag between two calls',
    reply:
      '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}\n<tool_call>{"name": "get_weather", "arguments": {"city": "Bern"}}</tool_call>',
    expected: [weatherParis, { call: 'get_weather', args: { city: 'Bern' } }],
  },
  {
    name: 'Python constants',
    reply: '<tool_call>{"name": "search_web", "arguments": {"query": "rust", "safe": True, "lang": None}}</tool_call>',
    expected: [{ call: 'search_web', args: { query: 'rust', safe: true, lang: null } }],
  },
  {
    name: 'one closing brace too many',
    reply: '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'missing closer and fence closed instead',
    reply: '```json\n<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}\n```',
    expected: [weatherParis],
  },
  // ── hallucinated tools ───────────────────────────────────────────────────────────────────────
  {
    name: 'unknown tool is shown as text',
    reply: 'Let me look.\n<tool_call>{"name": "browse", "arguments": {"url": "https://example.com"}}</tool_call>\nOK.',
    expected: [
      'Let me look.\n<tool_call>{"name": "browse", "arguments": {"url": "https://example.com"}}</tool_call>\nOK.',
    ],
    problems: ['unknown-tool'],
  },
  {
    name: 'one known and one unknown call',
    reply:
      '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n<tool_call>{"name": "get_time", "arguments": {"tz": "CET"}}</tool_call>',
    expected: [weatherParis, '<tool_call>{"name": "get_time", "arguments": {"tz": "CET"}}</tool_call>'],
    problems: ['unknown-tool'],
  },
  {
    name: 'unknown tool inside a fence keeps the fence as text',
    reply: '```xml\n<tool_call>{"name": "run_shell", "arguments": {"cmd": "ls"}}</tool_call>\n```',
    expected: ['```xml\n<tool_call>{"name": "run_shell", "arguments": {"cmd": "ls"}}</tool_call>\n```'],
    problems: ['unknown-tool'],
  },
  {
    name: 'unknown tool in the name attribute',
    reply: '<tool_call name="calculator">{"expr": "2+2"}</tool_call>',
    expected: ['<tool_call name="calculator">{"expr": "2+2"}</tool_call>'],
    problems: ['unknown-tool'],
  },
  // ── schema violations ────────────────────────────────────────────────────────────────────────
  {
    name: 'missing required argument',
    reply: '<tool_call>{"name": "get_weather", "arguments": {"unit": "celsius"}}</tool_call>',
    expected: [{ call: 'get_weather', args: { unit: 'celsius' } }],
    problems: ['invalid-arguments'],
  },
  {
    name: 'wrong argument type',
    reply: '<tool_call>{"name": "get_weather", "arguments": {"city": 42}}</tool_call>',
    expected: [{ call: 'get_weather', args: { city: 42 } }],
    problems: ['invalid-arguments'],
  },
  {
    name: 'enum violation',
    reply: '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris", "unit": "kelvin"}}</tool_call>',
    expected: [{ call: 'get_weather', args: { city: 'Paris', unit: 'kelvin' } }],
    problems: ['invalid-arguments'],
  },
  {
    name: 'extra property where additionalProperties is false',
    reply:
      '<tool_call>{"name": "send_email", "arguments": {"to": "a@b.c", "subject": "s", "body": "b", "cc": "d@e.f"}}</tool_call>',
    expected: [{ call: 'send_email', args: { to: 'a@b.c', subject: 's', body: 'b', cc: 'd@e.f' } }],
    problems: ['invalid-arguments'],
  },
  {
    name: 'invalid and valid call together',
    reply:
      '<tool_call>{"name": "search_web", "arguments": {"query": "x", "max_results": 0}}</tool_call><tool_call>{"name": "read_file", "arguments": {"path": "y"}}</tool_call>',
    expected: [{ call: 'search_web', args: { query: 'x', max_results: 0 } }, { call: 'read_file', args: { path: 'y' } }],
    problems: ['invalid-arguments'],
  },
  {
    name: 'arguments that are not an object',
    reply: '<tool_call>{"name": "get_weather", "arguments": ["Paris"]}</tool_call>',
    expected: ['<tool_call>{"name": "get_weather", "arguments": ["Paris"]}</tool_call>'],
    problems: ['unparseable'],
  },
  // ── partial tags and look-alikes ─────────────────────────────────────────────────────────────
  {
    name: 'comparison operators',
    reply: 'If a < b and b <= c then a < c; also x<y, p >= q.',
    expected: ['If a < b and b <= c then a < c; also x<y, p >= q.'],
  },
  {
    name: 'tag prefix at the very end of the reply',
    reply: 'The tag you are looking for is <tool_',
    expected: ['The tag you are looking for is <tool_'],
  },
  {
    name: 'fence prefix at the very end of the reply',
    reply: 'Here it comes:\n```js',
    expected: ['Here it comes:\n```js'],
  },
  {
    name: 'html-like tags',
    reply: 'Use <toolbox> or <div class="tool_call">x</div> in the page.',
    expected: ['Use <toolbox> or <div class="tool_call">x</div> in the page.'],
  },
  {
    name: 'the format explained in inline code',
    reply: 'I call tools by writing `<tool_call>` followed by JSON and `</tool_call>`.',
    expected: ['I call tools by writing `<tool_call>` followed by JSON and `</tool_call>`.'],
  },
  {
    name: 'opener word followed by prose',
    reply: 'The <tool_call is an XML-ish tag and <function_call too.',
    expected: ['The <tool_call is an XML-ish tag and <function_call too.'],
  },
  {
    name: 'stray closer',
    reply: 'Nothing to call.</tool_call> Bye',
    expected: ['Nothing to call.</tool_call> Bye'],
  },
  {
    name: 'empty call',
    reply: 'Hmm <tool_call></tool_call> nothing.',
    expected: ['Hmm <tool_call></tool_call> nothing.'],
    problems: ['unparseable'],
  },
  {
    name: 'call body is prose',
    reply: '<tool_call>get the weather in Paris</tool_call>',
    expected: ['<tool_call>get the weather in Paris</tool_call>'],
    problems: ['unparseable'],
  },
  // ── narration ────────────────────────────────────────────────────────────────────────────────
  {
    name: 'narrated call',
    reply: 'I will call get_weather with {"city": "Paris"} to find out.',
    expected: ['I will call get_weather with {"city": "Paris"} to find out.'],
    narrated: ['get_weather'],
  },
  {
    name: 'narrated call as a JSON code block',
    reply: 'To do that I would use:\n```json\n{"name": "read_file", "arguments": {"path": "a.txt"}}\n```',
    expected: ['To do that I would use:\n```json\n{"name": "read_file", "arguments": {"path": "a.txt"}}\n```'],
    narrated: ['read_file'],
  },
  {
    name: 'plain answer without tools',
    reply: 'Paris is the capital of France.',
    expected: ['Paris is the capital of France.'],
  },
  // ── non-English text and multi-byte characters ──────────────────────────────────────────────
  {
    name: 'Chinese around the call',
    reply:
      '好的，我来查一下北京的天气。\n<tool_call>{"name": "get_weather", "arguments": {"city": "北京"}}</tool_call>\n请稍等。',
    expected: ['好的，我来查一下北京的天气。\n', { call: 'get_weather', args: { city: '北京' } }, '请稍等。'],
  },
  {
    name: 'emoji and Japanese',
    reply: '🌤️ 東京の天気を調べます 👉 <tool_call>{"name":"get_weather","arguments":{"city":"東京 🗼"}}</tool_call> 🙏',
    expected: ['🌤️ 東京の天気を調べます 👉 ', { call: 'get_weather', args: { city: '東京 🗼' } }, '🙏'],
  },
  {
    name: 'Cyrillic and Arabic',
    reply:
      'Проверяю погоду. <tool_call>{"name": "get_weather", "arguments": {"city": "Москва"}}</tool_call>\nمرحبا بالعالم',
    expected: ['Проверяю погоду. ', { call: 'get_weather', args: { city: 'Москва' } }, 'مرحبا بالعالم'],
  },
  {
    name: 'unicode escapes in JSON',
    reply: '<tool_call>{"name": "get_weather", "arguments": {"city": "Z\\u00fcrich"}}</tool_call>',
    expected: [{ call: 'get_weather', args: { city: 'Zürich' } }],
  },
  {
    name: 'multi-byte custom tool input',
    reply: '<tool_call name="apply_patch">\n+ // 注释 ✓ — ünïcödé 😀\n</tool_call>',
    expected: [{ call: 'apply_patch', args: '+ // 注释 ✓ — ünïcödé 😀' }],
  },
  // ── more shapes seen in the wild ────────────────────────────────────────────────────────────
  {
    name: 'demo site narration without the protocol',
    reply: `${demoHeader}\n\nI would call tool get_weather with {"city":"Paris"}, but no tools are available.`,
    expected: [`${demoHeader}\n\nI would call tool get_weather with {"city":"Paris"}, but no tools are available.`],
    narrated: ['get_weather'],
  },
  {
    name: 'demo site with two calls joined by a newline',
    reply: `${demoHeader}\n\n<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>\n<tool_call>{"name":"read_file","arguments":{"path":"b.txt"}}</tool_call>`,
    expected: [`${demoHeader}\n\n`, weatherParis, { call: 'read_file', args: { path: 'b.txt' } }],
  },
  {
    name: 'name written before the JSON arguments',
    reply: '<tool_call>get_weather {"city": "Paris"}</tool_call><tool_call>read_file({"path": "c.txt"})</tool_call>',
    expected: [weatherParis, { call: 'read_file', args: { path: 'c.txt' } }],
  },
  {
    name: 'name attribute and a full envelope body',
    reply: '<tool_call name="get_weather">{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'opener attributes across lines, spaced closer',
    reply: '<tool_call\n  name="get_weather"\n>{"city": "Paris"}</tool_call >',
    expected: [weatherParis],
  },
  {
    name: 'comments inside the JSON',
    reply: '<tool_call>{"name": "get_weather", // the tool\n "arguments": {"city": "Paris" /* capital */}}</tool_call>',
    expected: [weatherParis],
  },
  {
    name: 'backslashes in a Windows path',
    reply: '<tool_call>{"name": "read_file", "arguments": {"path": "C:\\\\Users\\\\me\\\\a.txt"}}</tool_call>',
    expected: [{ call: 'read_file', args: { path: 'C:\\Users\\me\\a.txt' } }],
  },
  {
    name: 'markdown plan before the call',
    reply:
      '**Plan**\n1. Check the weather\n2. Answer with *details*\n\n> Note: values are in °C\n\n<tool_call>{"name":"get_weather","arguments":{"city":"Paris","unit":"celsius"}}</tool_call>',
    expected: [
      '**Plan**\n1. Check the weather\n2. Answer with *details*\n\n> Note: values are in °C\n\n',
      { call: 'get_weather', args: { city: 'Paris', unit: 'celsius' } },
    ],
  },
  {
    name: 'model invents the result after its call',
    reply:
      '<tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n<tool_result>{"temp": 21}</tool_result>\nIt is 21 °C in Paris.',
    expected: [weatherParis],
    problems: ['invented-result'],
  },
  {
    name: 'model invents the result right after the closer, with prose between',
    reply:
      'Calling.<tool_call>{"name": "read_file", "arguments": {"path": "x"}}</tool_call> Result: <tool_result name="read_file">hello</tool_result>',
    expected: ['Calling.', { call: 'read_file', args: { path: 'x' } }, 'Result: '],
    problems: ['invented-result'],
  },
  {
    name: 'tool_result mentioned without any call is text',
    reply: 'Results arrive in a <tool_result> block.',
    expected: ['Results arrive in a <tool_result> block.'],
  },
  // ── whitespace, empty and truncated replies ──────────────────────────────────────────────────
  {
    name: 'leading whitespace before a call is dropped',
    reply: '\n\n  <tool_call>{"name": "get_weather", "arguments": {"city": "Paris"}}</tool_call>\n\n',
    expected: [weatherParis],
  },
  {
    name: 'leading whitespace before text is kept',
    reply: '\n  indented answer',
    expected: ['\n  indented answer'],
  },
  {
    name: 'whitespace-only reply',
    reply: ' \n ',
    expected: [' \n '],
  },
  {
    name: 'empty reply',
    reply: '',
    expected: [],
  },
  {
    name: 'reply cut by the length limit inside a call',
    truncated: true,
    reply: 'Writing it.\n<tool_call>{"name": "send_email", "arguments": {"to": "a@b.c", "subject": "Report", "body": "Part one of',
    expected: [
      'Writing it.\n<tool_call>{"name": "send_email", "arguments": {"to": "a@b.c", "subject": "Report", "body": "Part one of',
    ],
    problems: ['truncated'],
  },
  {
    name: 'second call cut by the length limit',
    truncated: true,
    reply:
      '<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>\n<tool_call>{"name":"get_weather","arguments":{"city":"Lon',
    expected: [weatherParis, '<tool_call>{"name":"get_weather","arguments":{"city":"Lon'],
    problems: ['truncated'],
  },
  {
    name: 'reply cut by the length limit after a complete call',
    truncated: true,
    reply: '<tool_call>{"name":"get_weather","arguments":{"city":"Paris"}}</tool_call>\nMeanwhile, here is some backgro',
    expected: [weatherParis, 'Meanwhile, here is some backgro'],
  },
];
