#!/usr/bin/env bash
# agent-cli-check.sh — can Claude Code and the Codex CLI finish a one-tool-call task through the gateway?
#
# Issue 5 check: "Claude Code and the Codex CLI must be able to complete a task that needs one tool call
# (e.g. read a file) against the gateway — they send 20+ tools and 40–80 KB prompts."
#
# What it does, all on loopback, everything under one temp dir that is removed at the end:
#   1. installs @anthropic-ai/claude-code and @openai/codex at pinned versions into a temp npm prefix
#      (never into the project; --ignore-scripts: Claude Code is started through its own
#      cli-wrapper.cjs, which finds the platform binary that postinstall would have copied);
#   2. starts the demo chat site (with its /__control endpoints, to see what the site received),
#      the gateway in front of it (temp data dir, random API key, LOG_LEVEL=debug) and a tiny
#      logging proxy in front of the gateway that records every request the CLIs send (bytes, tool
#      count and names, status, whether the file's content came back in a tool result);
#   3. writes a workspace with hello.txt holding a random token, then runs each CLI non-interactively
#      with a timeout, asking (in the demo site's reply-script language) for exactly one tool call:
#        claude -p 'call tool Read with {"file_path":"<ws>/hello.txt"}'
#        codex exec 'call tool exec_command with {"cmd":"cat hello.txt"}'
#      against demo/tools-1 (native function calling) and demo/text-1 (prompt-emulated tools), plus
#      well-known model names aliased to them (those make the CLIs send their full, model-specific
#      tool lists: Claude Code 25 tools / ~125 KB with tool search off, Codex apply_patch + tool_search);
#   4. a run PASSES when the CLI exits 0, its final answer contains the token (the demo models only
#      know it if the CLI ran the tool and sent the result back), every request it made got 200, a
#      request carried the token back to the gateway (the tool result) and the site received it;
#      the Codex apply_patch row checks a free-form (custom) tool end to end;
#   5. prints a PASS/FAIL table with sizes, exits 1 if any required run failed.
#
# Usage: scripts/agent-cli-check.sh [--keep] [--only claude|codex]
#   --keep            keep the temp dir (logs, every request/response body) and print its path
#   --only NAME       run one CLI only
# Environment:
#   CLAUDE_CODE_VERSION (default 2.1.332)   CODEX_VERSION (default 0.171.0)
#   AGENT_CLIS_DIR      reuse/cache the npm prefix with the CLIs (e.g. a CI cache dir) instead of a temp one
#   RUN_TIMEOUT         seconds per CLI run (default 180)
#   CODEX_SANDBOX       codex --sandbox value (default read-only; use danger-full-access on hosts where
#                       bubblewrap cannot create user namespaces — the model is the scripted demo site)
# Needs: node >= 20 with the project's node_modules (npm ci), npm, curl, timeout (coreutils).
# Network: npm registry for the install only; everything else is 127.0.0.1.
# Docs: docs/agent-clis.md (what it proves, versions tested, measured sizes, known gaps).
set -euo pipefail

CLAUDE_CODE_VERSION="${CLAUDE_CODE_VERSION:-2.1.332}"
CODEX_VERSION="${CODEX_VERSION:-0.171.0}"
RUN_TIMEOUT="${RUN_TIMEOUT:-180}"
CODEX_SANDBOX="${CODEX_SANDBOX:-read-only}"
KEEP=0
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1 ;;
    --only) ONLY="${2:?--only needs claude or codex}"; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed 's/^# \{0,1\}//; $d'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_BIN="$(command -v node)"
[ -d "$REPO/node_modules/tsx" ] || { echo "run 'npm ci' in $REPO first" >&2; exit 2; }
START_TIME=$(date +%s)
WORK="$(mktemp -d "${TMPDIR:-/tmp}/agent-cli-check.XXXXXX")"
PIDS=()

cleanup() {
  local code=$?
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$KEEP" = 1 ]; then echo "kept: $WORK"; else rm -rf "$WORK"; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '[agent-cli-check] %s\n' "$*" >&2; }

# Waits until FILE has a line matching REGEX; prints the first capture group of the first match.
wait_for_line() {
  local file="$1" regex="$2" what="$3" deadline=$(($(date +%s) + 90))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ -f "$file" ]; then
      local hit
      hit="$(sed -nE "s#${regex}#\\1#p" "$file" | head -n1)"
      if [ -n "$hit" ]; then printf '%s' "$hit"; return 0; fi
    fi
    sleep 0.3
  done
  log "$what did not start in 90 s; its output:"; cat "$file" >&2 || true
  return 1
}

# ---------------------------------------------------------------------------------------------------
# 1. The CLIs, pinned, outside the project.
CLIS="${AGENT_CLIS_DIR:-$WORK/clis}"
mkdir -p "$CLIS"
want_install=0
[ "$(cat "$CLIS/.versions" 2>/dev/null || true)" = "$CLAUDE_CODE_VERSION $CODEX_VERSION" ] || want_install=1
if [ "$want_install" = 1 ]; then
  log "installing @anthropic-ai/claude-code@$CLAUDE_CODE_VERSION @openai/codex@$CODEX_VERSION into $CLIS"
  t0=$(date +%s)
  # --ignore-scripts: no install script runs; Claude Code's engines field says node>=22 but the CLI is
  # a native binary (platform optional dependency), so node 20 only runs its small launcher.
  timeout 600 npm install --prefix "$CLIS" --no-save --no-audit --no-fund --ignore-scripts \
    --loglevel=error "@anthropic-ai/claude-code@$CLAUDE_CODE_VERSION" "@openai/codex@$CODEX_VERSION" \
    > "$WORK/npm-install.log" 2>&1 || { cat "$WORK/npm-install.log" >&2; exit 1; }
  echo "$CLAUDE_CODE_VERSION $CODEX_VERSION" > "$CLIS/.versions"
  log "installed in $(($(date +%s) - t0)) s"
fi
CLAUDE=("$NODE_BIN" "$CLIS/node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs")
CODEX=("$NODE_BIN" "$CLIS/node_modules/@openai/codex/bin/codex.js")
CLAUDE_REPORTED="$(timeout 60 "${CLAUDE[@]}" --version 2>&1 | head -n1)"
CODEX_REPORTED="$(timeout 60 "${CODEX[@]}" --version 2>&1 | head -n1)"
log "claude: $CLAUDE_REPORTED; codex: $CODEX_REPORTED"

# ---------------------------------------------------------------------------------------------------
# 2. Demo site, gateway, logging proxy — all on 127.0.0.1, ports chosen by the OS.
KEY="agent-check-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
# Short on purpose: demo/text-1 echoes only the first 200 chars of a turn, and Codex puts ~170 chars of
# exec_command header before the command's output in its tool result.
TOKEN="AC$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n' | tr 'a-f' 'A-F')"
mkdir -p "$WORK/data" "$WORK/ws" "$WORK/requests" "$WORK/runs"
printf '%s\n' "$TOKEN" > "$WORK/ws/hello.txt"

(cd "$REPO" && exec "$NODE_BIN" --import tsx demo-site/src/cli.ts --host 127.0.0.1 --port 0 --control \
  --log-level warn) > "$WORK/demo-site.log" 2>&1 &
PIDS+=($!)
DEMO_URL="$(wait_for_line "$WORK/demo-site.log" '^Demo chat site: (http://[^ ]+).*' 'demo site')"

# Aliases: well-known model names make each CLI send that model's own tool list (see docs/agent-clis.md).
cat > "$WORK/gateway.json" <<EOF
{
  "server": { "host": "127.0.0.1", "port": 0 },
  "dataDir": "$WORK/data",
  "apiKeys": [{ "key": "$KEY", "user": "agent-check", "name": "agent-check" }],
  "sites": [{ "id": "demo", "kind": "demo", "embedded": false, "baseUrl": "$DEMO_URL" }],
  "modelAliases": {
    "claude-sonnet-4-5": "demo/tools-1",
    "claude-sonnet-4-6": "demo/text-1",
    "claude-haiku-4-5": "demo/fast-1",
    "gpt-5.5": "demo/tools-1"
  },
  "logLevel": "debug"
}
EOF
(cd "$REPO" && exec "$NODE_BIN" --import tsx src/cli/main.ts serve --config "$WORK/gateway.json") \
  > "$WORK/gateway.log" 2>&1 &
PIDS+=($!)
GATEWAY_URL="$(wait_for_line "$WORK/gateway.log" '^ *Anthropic base URL: *(http://[^ ]+).*' 'gateway')"

cat > "$WORK/proxy.mjs" <<'EOF'
// Logging proxy: forwards everything to the gateway; one JSON line per request; bodies kept on disk.
import { appendFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
const [target, logFile, dumpDir, token] = process.argv.slice(2);
const upstream = new URL(target);
let seq = 0;
http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const id = ++seq;
      const body = Buffer.concat(chunks);
      const text = body.toString('utf8');
      const info = { id, method: req.method, path: req.url, bytes: body.length, carriesToken: text.includes(token) };
      try {
        const json = JSON.parse(text);
        const names = (list) => (Array.isArray(list) ? list.map((t) => t.name ?? t.function?.name ?? t.type) : []);
        Object.assign(info, { model: json.model, stream: json.stream === true, tools: names(json.tools) });
        // Codex "responses lite" models put their tools in an input item instead of `tools`.
        const extra = Array.isArray(json.input) ? json.input.filter((i) => i && i.type === 'additional_tools') : [];
        if (extra.length) info.additionalTools = extra.flatMap((i) => names(i.tools));
        if (Array.isArray(json.messages)) info.items = json.messages.length;
        else if (Array.isArray(json.input)) info.items = json.input.length;
      } catch {}
      writeFileSync(`${dumpDir}/${id}-request.json`, body);
      const started = Date.now();
      const forward = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url,
          headers: { ...req.headers, host: upstream.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          const out = [];
          up.on('data', (c) => { out.push(c); res.write(c); });
          up.on('end', () => {
            res.end();
            const reply = Buffer.concat(out);
            writeFileSync(`${dumpDir}/${id}-response.txt`, reply);
            info.status = up.statusCode;
            info.ms = Date.now() - started;
            if ((up.statusCode ?? 500) >= 400) info.error = reply.toString('utf8').slice(0, 600);
            appendFileSync(logFile, `${JSON.stringify(info)}\n`);
          });
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502).end(String(error));
        appendFileSync(logFile, `${JSON.stringify({ ...info, status: 502, error: String(error) })}\n`);
      });
      forward.end(body);
    });
  })
  .listen(0, '127.0.0.1', function () {
    console.log(`proxy listening on http://127.0.0.1:${this.address().port}`);
  });
EOF
: > "$WORK/requests.jsonl"
"$NODE_BIN" "$WORK/proxy.mjs" "$GATEWAY_URL" "$WORK/requests.jsonl" "$WORK/requests" "$TOKEN" \
  > "$WORK/proxy.log" 2>&1 &
PIDS+=($!)
PROXY_URL="$(wait_for_line "$WORK/proxy.log" '^proxy listening on (http://[^ ]+).*' 'proxy')"
log "demo site $DEMO_URL, gateway $GATEWAY_URL, proxy $PROXY_URL, work dir $WORK"

# ---------------------------------------------------------------------------------------------------
# 3. The runs.
BASE_ENV=(PATH="$(dirname "$NODE_BIN"):/usr/local/bin:/usr/bin:/bin" LANG=C.UTF-8 TERM=dumb NO_COLOR=1)
RESULTS=()   # one tab-separated line per run

# run_one LABEL CLI MODEL TOOL-PATH TOOL EXPECT [ENV=VALUE...]
#   TOOL: Read (claude), exec_command (codex) — read hello.txt; apply_patch (codex) — create patched.txt
#   EXPECT: pass, or xfail for a known gateway gap (reported as XFAIL/XPASS, never fails the script)
run_one() {
  local label="$1" cli="$2" model="$3" path="$4" tool="$5" expect="$6"
  shift 6
  local dir="$WORK/runs/$label" before after started status=0 secs
  mkdir -p "$dir/home"
  before=$(wc -l < "$WORK/requests.jsonl")
  local site_before
  site_before=$(curl -fsS "$DEMO_URL/__control/received" | "$NODE_BIN" -e \
    'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).messages.length))')
  started=$(date +%s)
  log "run $label: $cli, model $model ($path)"
  if [ "$cli" = claude ]; then
    (cd "$WORK/ws" && env -i "${BASE_ENV[@]}" HOME="$dir/home" CLAUDE_CONFIG_DIR="$dir/home/.claude" \
      ANTHROPIC_BASE_URL="$PROXY_URL" ANTHROPIC_API_KEY="$KEY" ANTHROPIC_MODEL="$model" \
      ANTHROPIC_SMALL_FAST_MODEL=demo/fast-1 ANTHROPIC_DEFAULT_HAIKU_MODEL=demo/fast-1 \
      DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 DISABLE_BUG_COMMAND=1 \
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1 CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY=1 "$@" \
      timeout -k 10 "$RUN_TIMEOUT" "${CLAUDE[@]}" -p "call tool Read with {\"file_path\":\"$WORK/ws/hello.txt\"}" \
      --output-format text --allowedTools "$tool" \
      < /dev/null > "$dir/output.txt" 2> "$dir/stderr.txt") || status=$?
  else
    local prompt='call tool exec_command with {"cmd":"cat hello.txt"}' sandbox="$CODEX_SANDBOX"
    if [ "$tool" = apply_patch ]; then
      prompt="call tool apply_patch with {\"input\":\"*** Begin Patch\\n*** Add File: patched.txt\\n+$TOKEN\\n*** End Patch\\n\"}"
      [ "$sandbox" = read-only ] && sandbox=workspace-write
    fi
    cat > "$dir/home/config.toml" <<EOF
model = "$model"
model_provider = "webchat"
approval_policy = "never"
sandbox_mode = "$sandbox"
check_for_update_on_startup = false

[analytics]
enabled = false

[model_providers.webchat]
name = "webchat-gateway"
base_url = "$PROXY_URL/v1"
env_key = "WEBCHAT_GATEWAY_KEY"
wire_api = "responses"
EOF
    (cd "$WORK/ws" && env -i "${BASE_ENV[@]}" HOME="$dir/home" CODEX_HOME="$dir/home" \
      WEBCHAT_GATEWAY_KEY="$KEY" "$@" \
      timeout -k 10 "$RUN_TIMEOUT" "${CODEX[@]}" exec --skip-git-repo-check --color never \
      --sandbox "$sandbox" "$prompt" \
      < /dev/null > "$dir/output.txt" 2> "$dir/stderr.txt") || status=$?
  fi
  secs=$(($(date +%s) - started))
  after=$(wc -l < "$WORK/requests.jsonl")
  sed -n "$((before + 1)),${after}p" "$WORK/requests.jsonl" > "$dir/requests.jsonl"
  curl -fsS "$DEMO_URL/__control/received" > "$dir/site-received.json"
  # Verdict and measurements, one tab-separated line.
  RESULTS+=("$("$NODE_BIN" - "$dir" "$label" "$cli" "$model" "$path" "$tool" "$status" "$secs" "$TOKEN" \
    "$site_before" "$expect" "$WORK/ws" <<'EOF'
const fs = require('node:fs');
const [dir, label, cli, model, path, tool, status, secs, token, siteBefore, expect, ws] = process.argv.slice(2);
const reqs = fs.readFileSync(`${dir}/requests.jsonl`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const turns = reqs.filter((r) => r.method === 'POST' && /\/v1\/(messages|responses|chat\/completions)/.test(r.path) && !/count_tokens/.test(r.path));
const output = fs.readFileSync(`${dir}/output.txt`, 'utf8');
const site = JSON.parse(fs.readFileSync(`${dir}/site-received.json`, 'utf8')).messages.slice(Number(siteBefore));
const problems = [];
if (status !== '0') problems.push(status === '124' ? `timed out` : `exit ${status}`);
const patching = tool === 'apply_patch';
if (patching) {
  let written = '';
  try { written = fs.readFileSync(`${ws}/patched.txt`, 'utf8'); } catch {}
  if (!written.includes(token)) problems.push('patched.txt was not created by the patch');
} else if (!output.includes(token)) problems.push('file content not in the answer');
const bad = reqs.filter((r) => r.status !== 200);
if (bad.length) problems.push(`HTTP ${bad.map((r) => `${r.status} ${r.path}: ${(r.error ?? '').slice(0, 200)}`).join('; ')}`);
if (patching) {
  // The prompt itself carries the token; nothing more to check on the way back.
} else if (!turns.some((r) => r.carriesToken)) problems.push('no request carried the tool result back');
else if (!site.some((m) => JSON.stringify([m.text, m.toolResults]).includes(token)))
  problems.push('the gateway did not pass the tool result to the site');
const first = turns[0];
if (first && !first.tools.includes(tool) && !(first.additionalTools ?? []).includes(tool))
  problems.push(`the CLI's tool list has no '${tool}' (it sent: ${first.tools.join(', ')})`);
const siteToolsNative = Math.max(0, ...site.map((m) => m.tools.length));
const sitePrompt = Math.max(0, ...site.map((m) => m.text.length + (m.systemPrompt ?? '').length));
const kb = (n) => (n / 1024).toFixed(1);
console.log([
  label, cli, model, path,
  expect === 'xfail' ? (problems.length ? 'XFAIL' : 'XPASS') : problems.length ? 'FAIL' : 'PASS',
  secs, turns.length,
  first ? kb(first.bytes) : '-', kb(Math.max(0, ...turns.map((r) => r.bytes))),
  first ? first.tools.length : '-', siteToolsNative, sitePrompt,
  problems.join(' | ') || '-',
].join('\t'));
EOF
  )")
  log "  -> $(printf '%s' "${RESULTS[-1]}" | cut -f5) in ${secs}s"
  if [ "$(printf '%s' "${RESULTS[-1]}" | cut -f5)" = FAIL ]; then
    log "  output: $(head -c 600 "$dir/output.txt" | tr '\n' ' ')"
    log "  stderr: $(tail -c 600 "$dir/stderr.txt" | tr '\n' ' ')"
  fi
}

if [ -z "$ONLY" ] || [ "$ONLY" = claude ]; then
  run_one claude-native claude demo/tools-1 native Read pass
  run_one claude-emulated claude demo/text-1 emulated Read pass
  # A model name Claude Code knows + tool search off: its full tool list (~25 tools, ~125 KB).
  run_one claude-native-all-tools claude claude-sonnet-4-5 native Read pass ENABLE_TOOL_SEARCH=false
  run_one claude-emulated-all-tools claude claude-sonnet-4-6 emulated Read pass ENABLE_TOOL_SEARCH=false
fi
if [ -z "$ONLY" ] || [ "$ONLY" = codex ]; then
  run_one codex-native codex demo/tools-1 native exec_command pass
  run_one codex-emulated codex demo/text-1 emulated exec_command pass
  # gpt-5.5 is Codex's newest model with the classic tool list (apply_patch freeform, tool_search).
  run_one codex-native-gpt-5.5 codex gpt-5.5 native exec_command pass
  # Known gap (docs/agent-clis.md, "custom tools through a native-tools site"): apply_patch is a
  # freeform custom tool; the site gets it without parameters and its JSON arguments reach Codex as
  # the patch text. XFAIL until the gateway maps custom tools to {input: string} and unwraps them.
  run_one codex-apply-patch-gpt-5.5 codex gpt-5.5 native apply_patch pass
fi

# ---------------------------------------------------------------------------------------------------
# 4. Report.
TOTAL=$(($(date +%s) - START_TIME))
{
  printf '\nClaude Code %s, Codex CLI %s, gateway %s (%s)\n\n' "$CLAUDE_CODE_VERSION" "$CODEX_VERSION" \
    "$(cd "$REPO" && git rev-parse --short HEAD 2>/dev/null || echo '?')" "$("$NODE_BIN" --version)"
  printf '%-26s %-18s %-9s %-6s %5s %5s %9s %9s %6s %6s %9s  %s\n' run model tools result secs reqs \
    'req1 KB' 'max KB' 'tools' 'site' 'site chr' problems
  for line in "${RESULTS[@]}"; do
    IFS=$'\t' read -r label _cli model path result secs reqs kb1 kbmax ntools sitetools sitechars problems <<< "$line"
    printf '%-26s %-18s %-9s %-6s %5s %5s %9s %9s %6s %6s %9s  %s\n' "$label" "$model" "$path" "$result" \
      "$secs" "$reqs" "$kb1" "$kbmax" "$ntools" "$sitetools" "$sitechars" "$problems"
  done
  printf '\ncolumns: reqs = model requests the CLI made; req1/max KB = body of its first/largest request;\n'
  printf '  tools = tools in its first request; site = tools the site got natively; site chr = largest\n'
  printf '  prompt the site got (text + system prompt, chars). Total time %s s.\n' "$TOTAL"
} | tee "$WORK/summary.txt"
failed=0
for line in "${RESULTS[@]}"; do
  case "$(printf '%s' "$line" | cut -f5)" in
    FAIL) failed=1 ;;
    XPASS) log "$(printf '%s' "$line" | cut -f1) passed although it is a known gap: update this script and docs" ;;
  esac
done
[ "$failed" = 0 ] || { log "FAILED (run with --keep to keep logs and request bodies)"; exit 1; }
log "all runs passed"
