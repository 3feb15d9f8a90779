// Built-in generic rules (gw TOML rule format, see docs/scanning.md). Example secrets below are
// random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view generic_rules() {
  static constexpr std::string_view k_text = R"gwrules([[rule]]
id = "private-key"
description = "Private key (PEM: RSA, EC, DSA, OpenSSH, PGP, PKCS#8, encrypted)"
regex = '''(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?s:.){64,}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)'''
keywords = ["-----begin"]
tags = ["key"]
examples = ['''-----BEGIN RSA PRIVATE KEY-----
fbSydOkILQN2DD34kYpviueJUtfMiDGhruNTl6M9aa8ppAMaW27h+eC+yKKJ6qNf
rncLHJFtDPw5N/vS+KPq4PnSQnADc7n2WHjbzLUYDqIvXP6EH0WN1xkteaaXYUDK
-----END RSA PRIVATE KEY-----''', '''-----BEGIN OPENSSH PRIVATE KEY-----\ng4Aschu/LS71VaB1hbomvVE6KSFZmUckfRDqeX3XDWxbW6JsMUYFqUnHZjpvVf6PQy7OnX\nwj56Ov/PTsHoGxnRQK7rcvPnR4sU2s3ID+BrVdgyqRm/PiTB3Nco/9H87kKszBWyYsdGdl\n-----END OPENSSH PRIVATE KEY-----''']
negatives = ['''-----BEGIN PUBLIC KEY-----
P9+dQUHyjdThtFpBpqoN9e5A3TynKxLpFqwKerA5Gp74xP8OGZxgKD46zdovgus3
-----END PUBLIC KEY-----''', '''-----BEGIN RSA PRIVATE KEY-----
...
-----END RSA PRIVATE KEY-----''']

[[rule]]
id = "putty-private-key"
description = "PuTTY private key file"
regex = '''(PuTTY-User-Key-File-\d: [a-z0-9-]+(?s:.){0,400}?Private-Lines: \d+)'''
keywords = ["putty-user-key-file"]
tags = ["key", "ssh"]
examples = ['''PuTTY-User-Key-File-3: ssh-ed25519
Encryption: none
Comment: me
Public-Lines: 2
Rlb5f0PZSC8RnewGVOXvRRLl2vA6jm2cXkBidJsW04Kt8fKrOpikDYICtuLHTHt1
CNRXAXCPFVgV858HxFkR
Private-Lines: 1''']
negatives = ['''PuTTY-User-Key-File''']

[[rule]]
id = "jwt"
description = "JSON Web Token"
regex = '''\b(eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})'''
keywords = ["eyj"]
validator = "jwt"
tags = ["jwt"]
examples = ['''eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.xqIKlVatJy-fsocccbXRTgjEM2k7jbaMGULE-a_kSjN''']
negatives = ['''eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.mDPkU6N1WUee1ImgK9_PE76qOuQGM-yqm0ipBGHCK3J''', '''eyJhbGciOiJIUzI1NiJ9.short''']

[[rule]]
id = "database-url-password"
description = "Database connection URL with a password"
regex = '''(?i)\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|jdbc:[a-z]+)://[^\s:@/'"`]{1,64}:([^\s:@/'"`]{3,128})@[^\s'"`]+'''
keywords = ["://"]
tags = ["database"]
examples = ['''DATABASE_URL=postgres://app:6EbbOEdoQnOWbPyeppQp@db.internal:5432/app''', '''mongodb+srv://admin:WiSjlgzflzcl9k0P@cluster0.mongodb.net/''']
negatives = ['''postgres://app@db:5432/app''', '''postgres://app:${DB_PASSWORD}@db/app''', '''mysql://root:password@localhost/db''']
[[rule.allowlist]]
regexes = ['''(?i)^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%\(?[A-Za-z_]*\)?s|<[^>]*>|\{\{.*\}\}|\*+|x+|\.+|password|passwd|pass|secret|changeme|change_me|example|your[_-]?.*|redacted|placeholder|dummy|test|none|null|undefined)$''']

[[rule]]
id = "url-credentials"
description = "URL with an embedded password (basic auth)"
regex = '''(?i)\b(?:https?|ftps?|sftp|smtps?|ldaps?|git\+https?)://[^\s:@/'"`]{1,64}:([^\s:@/'"`]{6,128})@[A-Za-z0-9.-]+'''
keywords = ["://"]
entropy = 3.0
tags = ["url"]
examples = ['''https://deploy:s7W9EeYyrzJXjHCoHTPwMrxN@git.example.org/repo.git''']
negatives = ['''https://user@host.org/x''', '''https://user:${TOKEN}@host.org''']
[[rule.allowlist]]
regexes = ['''(?i)^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%\(?[A-Za-z_]*\)?s|<[^>]*>|\{\{.*\}\}|\*+|x+|\.+|password|passwd|pass|secret|changeme|change_me|example|your[_-]?.*|redacted|placeholder|dummy|test|none|null|undefined)$''']

[[rule]]
id = "basic-auth-header"
description = "HTTP Basic Authorization header"
regex = '''(?i)\bAuthorization:\s*Basic\s+([A-Za-z0-9+/]{16,}={0,2})'''
keywords = ["basic"]
entropy = 3.0
tags = ["http"]
examples = ['''Authorization: Basic cbZ01XpUX8Wo9AEFaGqenR8yApAWOEQ3W8ZbcjTb''']
negatives = ['''Authorization: Basic $CREDS''']

[[rule]]
id = "bearer-token-header"
description = "HTTP Bearer Authorization header"
regex = '''(?i)\bAuthorization["']?\s*[:=]\s*["']?Bearer\s+([A-Za-z0-9._~+/-]{20,}=*)'''
keywords = ["bearer"]
entropy = 3.5
tags = ["http"]
examples = ['''Authorization: Bearer ZCrJQ6F_Sdt8caAxlzjCb6hCjS0hCosOt-INlxdo''', '''-H "Authorization: Bearer jOSYkzNqes3t0ED0BYbQFQt1EUAxkTEPghABNcTcWjUl2vnWrcyRpMcdTrp34I8V"''']
negatives = ['''Authorization: Bearer $TOKEN''', '''Authorization: Bearer {{token}}''']

[[rule]]
id = "generic-secret-assignment"
description = ".env-style or config assignment of a high-entropy secret"
regex = '''(?i)\b[a-z0-9_.-]*(?:secret|token|passw(?:or)?d|pwd|api[_.-]?key|apikey|access[_.-]?key|private[_.-]?key|auth[_.-]?key|credentials?|client[_.-]?secret)[a-z0-9_.-]*["']?[ \t]*(?:=|:=|:|=>)[ \t]*["'`]?([A-Za-z0-9+/_.=~!@#%^&*-]{16,128})(?:["'`;,\s]|\\[nrt]|$)'''
keywords = ["secret", "token", "passw", "pwd", "api_key", "api-key", "api.key", "apikey", "access_key", "access-key", "accesskey", "private_key", "privatekey", "auth_key", "authkey", "credential"]
entropy = 3.5
tags = ["generic"]
examples = ['''API_KEY=yu3kSps0CjMc5SlJ1KpQWfHzYqJ7ru6D''', '''db_password: "LrTblBe0k93S9!4Gl59U"''', '''export SECRET_TOKEN=1JsmTuiu5U6GaNsegGKYikP65j8COEK0eXtX-Sg6''']
negatives = ['''API_KEY=your-api-key-here-please''', '''password: "aaaaaaaaaaaaaaaaaaaa"''', '''token = process.env.GITHUB_TOKEN_VALUE''', '''secret_name: my_production_database_secret''']
[[rule.allowlist]]
regexes = ['''(?i)^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%\(?[A-Za-z_]*\)?s|<[^>]*>|\{\{.*\}\}|\*+|x+|\.+|password|passwd|pass|secret|changeme|change_me|example|your[_-]?.*|redacted|placeholder|dummy|test|none|null|undefined)$''', '''^[A-Za-z_.-]+$''', '''^[a-z]+(?:[._-][a-z]+)+$''']
stopwords = ["example", "sample", "placeholder", "changeme", "xxxxxx", "000000", "123456", "your_", "your-", "redacted", "dummy", "lorem"]

[[rule]]
id = "htpasswd-hash"
description = "Apache htpasswd (apr1 / SHA) password hash"
regex = '''\b[A-Za-z0-9._-]+:(\$apr1\$[./0-9A-Za-z]{1,8}\$[./0-9A-Za-z]{22}|\{SHA\}[A-Za-z0-9+/]{27}=)'''
keywords = ["$apr1$", "{sha}"]
tags = ["hash"]
examples = ['''admin:$apr1$YN14N13l$hKOlg9x9paPbezBbxHsIlb''']
negatives = ['''admin:$apr1$abc''']

[[rule]]
id = "bcrypt-hash"
description = "bcrypt password hash"
regex = '''(\$2[abxy]\$\d{2}\$[./A-Za-z0-9]{53})'''
keywords = ["$2a$", "$2b$", "$2x$", "$2y$"]
tags = ["hash"]
examples = ['''$2b$12$MD9xWBEN8KmmyKEmp1JIHqOxiyotajjiL1mpzGkfjyKOPRPoyXu0W''']
negatives = ['''$2b$12$short''']

[[rule]]
id = "sshpass-password"
description = "Password given to sshpass on the command line"
regex = '''\bsshpass\s+-p\s*['"]?([^\s'"]{6,})'''
keywords = ["sshpass"]
tags = ["cli"]
examples = ['''sshpass -p bLpJWrYEjYSf ssh host''']
negatives = ['''sshpass -f file ssh host''', '''sshpass -p $PASS ssh host''']
[[rule.allowlist]]
regexes = ['''(?i)^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%\(?[A-Za-z_]*\)?s|<[^>]*>|\{\{.*\}\}|\*+|x+|\.+|password|passwd|pass|secret|changeme|change_me|example|your[_-]?.*|redacted|placeholder|dummy|test|none|null|undefined)$''']

[[rule]]
id = "mysql-cli-password"
description = "Password given to the mysql client on the command line"
regex = '''\bmysql(?:dump|admin)?\b[^\n]{0,100}?\s(?:-p|--password=)([^\s'"$-][^\s'"]{5,})'''
keywords = ["mysql"]
tags = ["cli"]
examples = ['''mysql -u root -pFVwZ3T0CY6qB db''']
negatives = ['''mysql -u root -p db''']
[[rule.allowlist]]
regexes = ['''(?i)^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%\(?[A-Za-z_]*\)?s|<[^>]*>|\{\{.*\}\}|\*+|x+|\.+|password|passwd|pass|secret|changeme|change_me|example|your[_-]?.*|redacted|placeholder|dummy|test|none|null|undefined)$''']

[[rule]]
id = "curl-user-password"
description = "Credentials given to curl -u"
regex = '''\bcurl\b[^\n]{0,200}?\s(?:-u|--user)\s+['"]?[^\s:'"]+:([^\s'"]{6,})'''
keywords = ["curl"]
tags = ["cli"]
examples = ['''curl -u admin:h8yA0CEw79CnMF https://api.internal''']
negatives = ['''curl -u admin https://x''', '''curl -u admin:$PASS https://x''']
[[rule.allowlist]]
regexes = ['''(?i)^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%\(?[A-Za-z_]*\)?s|<[^>]*>|\{\{.*\}\}|\*+|x+|\.+|password|passwd|pass|secret|changeme|change_me|example|your[_-]?.*|redacted|placeholder|dummy|test|none|null|undefined)$''']

[[rule]]
id = "netrc-password"
description = ".netrc machine password"
regex = '''(?i)\bmachine\s+\S+\s+login\s+\S+\s+password\s+(\S{6,})'''
keywords = ["machine"]
tags = ["cli"]
examples = ['''machine api.host.com login me password A2cJriTsmJlsfw3G''']
negatives = ['''machine api.host.com login me''']
[[rule.allowlist]]
regexes = ['''(?i)^(?:\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|%\(?[A-Za-z_]*\)?s|<[^>]*>|\{\{.*\}\}|\*+|x+|\.+|password|passwd|pass|secret|changeme|change_me|example|your[_-]?.*|redacted|placeholder|dummy|test|none|null|undefined)$''']

[[rule]]
id = "kubernetes-secret-data"
description = "Kubernetes Secret manifest data value"
regex = '''(?s)\bkind:\s*Secret\b.{0,400}?\bdata:\s*\n\s+[\w.-]+:\s*["']?([A-Za-z0-9+/]{16,}={0,2})'''
keywords = ["secret"]
entropy = 3.0
tags = ["kubernetes"]
examples = ['''apiVersion: v1
kind: Secret
metadata:
  name: db
data:
  password: uIqSM4j8ikJATS1QT71L5omvlPkMwaLC''']
negatives = ['''kind: Secret
metadata:
  name: db
stringData:
  a: b''']
)gwrules";
  return k_text;
}

}  // namespace gw::scan::builtin
