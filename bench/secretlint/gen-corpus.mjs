// Writes a deterministic corpus of source code and shell output with planted credentials in the
// documented shapes (random strings, none real): node gen-corpus.mjs DIR FILES KB_PER_FILE
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, files = "200", kb = "50"] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node gen-corpus.mjs DIR [FILES] [KB_PER_FILE]");
  process.exit(2);
}
let seed = 12345;  // xorshift32: exact in 32-bit integer arithmetic
const rand = (n) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const pick = (s, n) => Array.from({ length: n }, () => s[rand(s.length)]).join("");
const upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const lines = [
  "#include <string>\n", "int main(int argc, char** argv) {\n", "  std::string token = get_token(argv[1]);\n",
  "  if (!config.api_key.empty()) client.set_key(config.api_key);\n", "  for (size_t i = 0; i < n; ++i) sum += v[i];\n",
  "  return 0;\n}\n", "def handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps(event)}\n",
  "const password = process.env.DB_PASSWORD;\n", "$ ls -la\ntotal 48\ndrwxr-xr-x  5 dev dev 4096 Nov 24 19:55 .\n",
  "-rw-r--r--  1 dev dev 10586 Nov 24 19:55 builtin_ai.cpp\n", "ok  \tgithub.com/acme/api/internal/auth\t0.412s\n",
  "    at Object.<anonymous> (/home/dev/app/src/index.js:12:15)\n", "SELECT id, email FROM users WHERE id = $1;\n",
  "  \"version\": \"1.4.2\",\n  \"main\": \"dist/index.js\",\n", "error[E0308]: mismatched types\n --> src/main.rs:4:18\n",
];
const secrets = [
  () => `AWS_ACCESS_KEY_ID=AKIA${pick(upper, 16)}\n`,
  () => `export GITHUB_TOKEN=ghp_${pick(alnum, 36)}\n`,
  () => `SLACK_BOT_TOKEN=xoxb-${rand(9e9) + 1e9}-${rand(9e9) + 1e9}-${pick(alnum, 24)}\n`,
  () => `stripe.api_key = "sk_live_${pick(alnum, 24)}"\n`,
];
mkdirSync(dir, { recursive: true });
const target = Number(kb) * 1024;
for (let f = 0; f < Number(files); f++) {
  let out = "";
  while (out.length < target) out += rand(400) === 0 ? secrets[rand(secrets.length)]() : lines[rand(lines.length)];
  writeFileSync(join(dir, `file${String(f).padStart(4, "0")}.txt`), out);
}
