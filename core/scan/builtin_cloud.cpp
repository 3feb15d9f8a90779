// Built-in cloud rules (gw TOML rule format, see docs/scanning.md). Example secrets below are
// random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view cloud_rules() {
  static constexpr std::string_view k_text = R"gwrules([[rule]]
id = "aws-access-key-id"
description = "AWS access key ID"
regex = '''\b((?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\b'''
keywords = ["akia", "asia", "abia", "acca"]
entropy = 3.0
tags = ["aws"]
examples = ['''AKIAOXYIMCFIPNZB575Y''', '''aws_access_key_id = ASIA7MZF7OBR26YHQGEY''']
negatives = ['''AKIAYGDVPF7NJEC7''', '''AKIAIOSFODNN7EXAMPLE''', '''XAKIAMJ54SW3IKGUW7MTJ''']
[[rule.allowlist]]
regexes = ['''EXAMPLE$''']

[[rule]]
id = "aws-secret-access-key"
description = "AWS secret access key in an assignment"
regex = '''(?i)\baws[_.-]?(?:secret[_.-]?(?:access[_.-]?)?key|sk)["']?(?:[ \t]*(?:=|:=|:|=>)[ \t]*|[ \t]+)["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+]|$)'''
keywords = ["aws"]
entropy = 3.5
tags = ["aws"]
examples = ['''aws_secret_access_key = TKjCSFbLRCIe2GWM1wYovdzuMobWRv3Dr0501kiK''', '''"AWS_SECRET_ACCESS_KEY": "meknUt+tiycrRXpMSPUa/AhewwR34pkzC/8tWpn5"''', '''aws configure set aws_secret_access_key TKjCSFbLRCIe2GWM1wYovdzuMobWRv3Dr0501kiK''']
negatives = ['''aws_secret_access_key = q4l8YU6Cgzg5onBacU3lzDPXzaLLkP''', '''aws_region = ZCLk1VPMTLnz+VWNALYXTU2z+kIui/I1oJLJIJ0F''', '''aws_secret_access_key must be set before aws configure runs in CI''']

[[rule]]
id = "aws-session-token"
description = "AWS temporary session token"
regex = '''(?i)\baws[_.-]?session[_.-]?token["']?[ \t]*(?:=|:)[ \t]*["']?([A-Za-z0-9/+=]{100,})'''
keywords = ["aws"]
entropy = 4.0
tags = ["aws"]
examples = ['''AWS_SESSION_TOKEN=UFF6FDzV/noXkv2frcyHlm76KlqTiOekrUjDeOCLTPioS3uuGXt3imCkLwRznghwvPLF9okrqCPB0wvr4h5K13V+UxNI8qJ/LBYr+8pLYeeVLSWdsbkx5q2nVfVTnOn9vE9USV2VesOheDU9U8wMrIc4KH6LLZ/5l/4RrnU6U8XAwselNBsZ''']
negatives = ['''AWS_SESSION_TOKEN=${TOKEN}''']

[[rule]]
id = "aws-bedrock-api-key"
description = "Amazon Bedrock API key"
regex = '''\b(ABSK[A-Za-z0-9+/]{100,}={0,2})'''
keywords = ["absk"]
entropy = 4.0
tags = ["aws", "ai"]
examples = ['''ABSKGzobe4BOOdacqMNbfBQOl1Eamz91o2sjsS3gG0zdKi+OuChYNHNJcZAByo/tOEk3S/7Urv8mCRuEC2zRqIj4PsEYcOZTNppX50b+RzcbOV9nwog4JkdzFjhQSXO+u+Jh97Fh''']
negatives = ['''ABSKZ58upvQLZo5xMuTThZJj''']

[[rule]]
id = "google-api-key"
description = "Google API key (GCP, Gemini, Maps, Firebase)"
regex = '''\b(AIza[0-9A-Za-z_-]{35})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["aiza"]
entropy = 3.0
tags = ["gcp", "ai"]
examples = ['''AIzaF84Ky9iiLixYmpxx_PEy4FWdSNp_fm4VGQn''', '''key=AIzany_25mqdTqX5Q2oW81qjxE4zJtBaQUlvO1M&q=1''']
negatives = ['''AIzarCWbntCius-KXl4KjX4-''', '''AIza3Q9DNfncU2bHVfwi_gcgmOrFUTTkEyEJm1dyco0O''']

[[rule]]
id = "gcp-service-account-key-id"
description = "GCP service account private key id"
regex = '''"private_key_id"\s*:\s*"([a-f0-9]{40})"'''
keywords = ["private_key_id"]
tags = ["gcp"]
examples = ['''"private_key_id": "4871abc5a95080194960414b8e8b94bee7a2809a"''']
negatives = ['''"private_key_id": "3800ec60041aa7c6fe9c"''']

[[rule]]
id = "gcp-oauth-client-secret"
description = "Google OAuth client secret"
regex = '''\b(GOCSPX-[A-Za-z0-9_-]{28})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["gocspx"]
tags = ["gcp"]
examples = ['''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''']
negatives = ['''GOCSPX-DwTvuDyhWD''']

[[rule]]
id = "google-oauth-access-token"
description = "Google OAuth access token"
regex = '''\b(ya29\.[0-9A-Za-z_-]{30,})'''
keywords = ["ya29."]
entropy = 3.5
tags = ["gcp"]
examples = ['''ya29.mqHLet9kUmIoqgoSKSJrhuZbd47VZDhU7QM0rI2ijCQyZh5LENPJ0hab2eyDnk8rx4-jdHKgSkIVN7DEhjD4Ngo3H0orO1S_W__jYRWP1NK85aFjHjgrebnB''']
negatives = ['''ya29.short''']

[[rule]]
id = "google-oauth-refresh-token"
description = "Google OAuth refresh token"
regex = '''\b(1//0[0-9A-Za-z_-]{40,})'''
keywords = ["1//0"]
entropy = 3.5
tags = ["gcp"]
examples = ['''1//0-5LAlKOM_t5SHLxZMdpcC0BsrmwH65wFWN01dua6nrT5p3JmejKx0Ph1Qfar8q5qH8XIOOLRcBuYMxlNMfv8Hr42tz0OMfJz1u7k''']
negatives = ['''1//0abc''']

[[rule]]
id = "azure-storage-account-key"
description = "Azure storage account key"
regex = '''(?i)\bAccountKey\s*=\s*([A-Za-z0-9+/]{86}==)'''
keywords = ["accountkey"]
tags = ["azure"]
examples = ['''DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=AlboqIAe1t/SM0AdZ31Mc0DV6Hk4pf7xOBQqqUGukcP7jeSft/xqWuTqSUfRiA9+QusX/CZaPTtop2nBfxrXwL==;EndpointSuffix=core.windows.net''']
negatives = ['''AccountKey=pPaf/qKbo6w1NI90OSi8tTZ0rhj4ZDZPxgrsmLeV==''']

[[rule]]
id = "azure-sas-token"
description = "Azure shared access signature"
regex = '''(?i)\bsv=\d{4}-\d{2}-\d{2}&[^\s"\'<>]{0,300}?\bsig=([A-Za-z0-9%+/]{30,100}(?:%3D|=)?)'''
keywords = ["sig="]
entropy = 3.5
tags = ["azure"]
examples = ['''https://a.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=sco&sp=rl&se=2030-01-01&sig=iw7zUgFECNTFvWiSwSmZBg0iCIrSuW3knGY/EtVuaNI%3D''']
negatives = ['''?sig=abc''']

[[rule]]
id = "azure-ad-client-secret"
description = "Azure AD (Entra ID) application client secret"
regex = '''(?:^|[\s"'=:>,(])([A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)'''
keywords = ["q~"]
entropy = 3.0
tags = ["azure"]
examples = ['''client_secret="abc8Q~b4KEEyhT3SqTC4jHlKzT0aqjojKteZ623V"''']
negatives = ['''abc8Q~short''']

[[rule]]
id = "azure-service-bus-key"
description = "Azure Service Bus / Event Hubs shared access key"
regex = '''(?i)\bSharedAccessKey\s*=\s*([A-Za-z0-9+/]{43}=)'''
keywords = ["sharedaccesskey"]
tags = ["azure"]
examples = ['''Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=jd/K9Wu5OB38U9asHMLtLLmDzxN0Hpkx8ZhwYmEiF1u=''']
negatives = ['''SharedAccessKey=abc=''']

[[rule]]
id = "digitalocean-pat"
description = "DigitalOcean personal access token"
regex = '''\b(dop_v1_[a-f0-9]{64})\b'''
keywords = ["dop_v1_"]
tags = ["digitalocean"]
examples = ['''dop_v1_4e680a81af88b5109697a269402c5674bea20e2c193d0eb9e7833795286ddd43''']
negatives = ['''dop_v1_274470f8197cbadca83216255004764cc2b192d3''']

[[rule]]
id = "digitalocean-oauth-token"
description = "DigitalOcean OAuth access token"
regex = '''\b(doo_v1_[a-f0-9]{64})\b'''
keywords = ["doo_v1_"]
tags = ["digitalocean"]
examples = ['''doo_v1_98d4b9e197c2f37f20ce206172a7b7694a8e2b28d584c654035a0a03e854078a''']
negatives = ['''doo_v1_bd9d822b67''']

[[rule]]
id = "digitalocean-refresh-token"
description = "DigitalOcean OAuth refresh token"
regex = '''\b(dor_v1_[a-f0-9]{64})\b'''
keywords = ["dor_v1_"]
tags = ["digitalocean"]
examples = ['''dor_v1_d1b7c021cd642fa5600ea69243d50ca895a73a2efeb23baa9a2d9f79f7473b8c''']
negatives = ['''dor_v1_6d761fb676''']

[[rule]]
id = "heroku-api-key"
description = "Heroku API key (HRKU- format)"
regex = '''\b(HRKU-AA[0-9A-Za-z_-]{58})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["hrku-"]
tags = ["heroku"]
examples = ['''HRKU-AAFDIW5Cui-mnEiMVCePAI-LjKyilA_WL1kavoE1IKppV8ucYxsjfggP9IhE''']
negatives = ['''HRKU-AAp6mLO_8hrx4kyt3KirLt''']

[[rule]]
id = "heroku-api-key-legacy"
description = "Heroku API key (UUID next to \"heroku\")"
regex = '''(?i)\bheroku[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["heroku"]
tags = ["heroku"]
examples = ['''HEROKU_API_KEY=7c840ad1-e1b8-88ef-d005-90c0f2cc3b29''']
negatives = ['''HEROKU_APP_NAME=30a4e2d7-{H:4''']

[[rule]]
id = "alibaba-access-key-id"
description = "Alibaba Cloud AccessKey ID"
regex = '''\b(LTAI[A-Za-z0-9]{20})\b'''
keywords = ["ltai"]
entropy = 3.0
tags = ["alibaba"]
examples = ['''LTAICmMHsHQAA4acV1gC1lvr''']
negatives = ['''LTAIIpSILhsVsP''']

[[rule]]
id = "cloudflare-api-token"
description = "Cloudflare API token or key"
regex = '''(?i)\bcloudflare[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9_-]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["cloudflare"]
entropy = 3.5
tags = ["cloudflare"]
examples = ['''CLOUDFLARE_API_TOKEN=rHGHQ9catsHbrcG6aVx-WpfkpJWo5H3J_BdpWuYM''']
negatives = ['''CLOUDFLARE_ZONE=IcKOA79aqTi-GP6iRrzh0dio6I-_yNLM9YNsIJGW''']

[[rule]]
id = "cloudflare-origin-ca-key"
description = "Cloudflare Origin CA key"
regex = '''\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b'''
keywords = ["v1.0-"]
tags = ["cloudflare"]
examples = ['''v1.0-024819393c97de35d8f88389-bff51c7bb2572851ae2b896c148044ee1ee2f1dfed571b20b4d92dddbfa22d79d25d6a71ab7b54b7e11febffd8c4062f3470bc7b9232b5c4a0e55d7a9f7a64b7a90c2bcf24ff548010''']
negatives = ['''v1.0-8867a2fe88dbe7ecaf368340-45a914d69d357f57ab5b''']

[[rule]]
id = "fly-io-token"
description = "Fly.io access token"
regex = '''\b((?:fo1_[A-Za-z0-9_-]{43}|fm[12][ar]?_[A-Za-z0-9+/=_-]{100,}))'''
keywords = ["fo1_", "fm1", "fm2"]
entropy = 3.5
tags = ["fly"]
examples = ['''fo1_oETd9ju1dv5ICK8vLgqCllU3wKMhS5EoZ6a9n6zWCxM''', '''FlyV1 fm2_skR3j0JmEo4xLd6iNIqY+9SSe2tPTrK0j2KSfDx8YVxVsOa0Mv1/EraZ1BP/mvlhLSfsB3yDP33yYQxsGYWZpVvwgKONBYgDStPk3MDNao3jE9yDH7oXIHSjA0JDqTtifnLrfHRTnqWWwVvWzsyLjZ''']
negatives = ['''fo1_abc''']

[[rule]]
id = "vercel-token"
description = "Vercel access token"
regex = '''(?i)\bvercel[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9]{24})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["vercel"]
entropy = 3.5
tags = ["vercel"]
examples = ['''VERCEL_TOKEN=ok79mVDN0LaOUolybVa3zJ0M''']
negatives = ['''VERCEL_ORG_ID=HKoojpNjF2''']

[[rule]]
id = "netlify-token"
description = "Netlify personal access token"
regex = '''\b(nfp_[A-Za-z0-9]{36})\b'''
keywords = ["nfp_"]
tags = ["netlify"]
examples = ['''nfp_APqX74fOTtihnIMfp4f2JjwTItXODA77lHKw''']
negatives = ['''nfp_fImniprQzV''']

[[rule]]
id = "linode-token"
description = "Linode (Akamai) API token"
regex = '''(?i)\blinode[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{64})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["linode"]
tags = ["linode"]
examples = ['''LINODE_TOKEN=0a52471bebe8c4d02f6a8b6895965afb91ebf15b22a5f2600c66b4e4478c57dd''']
negatives = ['''LINODE_REGION=us-east''']

[[rule]]
id = "hashicorp-vault-token"
description = "HashiCorp Vault service or batch token"
regex = '''\b(hv[sb]\.[A-Za-z0-9_-]{90,120})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["hvs.", "hvb."]
entropy = 3.5
tags = ["vault"]
examples = ['''hvs.vMct6uWFAw6uNMX9MlaHhAvCCxP6yRHEPRzLLScTjazZvZ_HDkBrW8RWyxccm6VqXKQ_Chd0-W-6JU5yawX3R-qi2n8xmYd''']
negatives = ['''hvs.SGdD4HtL6ToHpyHX6uKw''']

[[rule]]
id = "terraform-cloud-token"
description = "Terraform Cloud / HCP API token"
regex = '''\b([A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["atlasv1"]
entropy = 3.5
tags = ["terraform"]
examples = ['''FQyDeZaXRcA05V.atlasv1.2XWlQuaCWDS6pNe5uSPDdvHxcWFndz44LKyauOa_hWGJflZQXJfN2unvCLGXKjEuSUw''']
negatives = ['''ltgsnSnhCb71Le.atlasv1.6ytGQ6NP5N''']

[[rule]]
id = "doppler-token"
description = "Doppler service/personal token"
regex = '''\b(dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9_.-]{40,44})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["dp.pt.", "dp.st.", "dp.sa.", "dp.ct.", "dp.scim.", "dp.audit."]
entropy = 3.5
tags = ["doppler"]
examples = ['''dp.pt.KtjdCl0S6KqJGUCO49NfKXzlHJ1Lj0cJa6Mq2cOgpQ9''']
negatives = ['''dp.pt.MpQTwoOzNg''']

[[rule]]
id = "pulumi-token"
description = "Pulumi access token"
regex = '''\b(pul-[a-f0-9]{40})\b'''
keywords = ["pul-"]
tags = ["pulumi"]
examples = ['''pul-f16c6db28fc197b770d4fa43eb50b6f3591f5cd4''']
negatives = ['''pul-097be396c40cd17ec055''']

[[rule]]
id = "supabase-pat"
description = "Supabase personal access token"
regex = '''\b(sbp_[a-f0-9]{40})\b'''
keywords = ["sbp_"]
tags = ["supabase"]
examples = ['''sbp_5811fdac0db0ef84c67f9cc2be213824f66f1110''']
negatives = ['''sbp_b6d6738765''']

[[rule]]
id = "planetscale-token"
description = "PlanetScale password or token"
regex = '''\b(pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64})'''
keywords = ["pscale_"]
entropy = 3.5
tags = ["planetscale"]
examples = ['''pscale_pw_szYqbWxaNFcpqbToCM8aiPKV6X7pFDl2x5kUw2FUksl''']
negatives = ['''pscale_pw_yTj7jlAzPL''']

[[rule]]
id = "databricks-token"
description = "Databricks personal access token"
regex = '''\b(dapi[a-f0-9]{32}(?:-\d)?)\b'''
keywords = ["dapi"]
entropy = 3.0
tags = ["databricks"]
examples = ['''dapif42b887fa598ba642b01ad4c1c01e797''']
negatives = ['''dapif408f53e05c253050a4e''']

[[rule]]
id = "okta-api-token"
description = "Okta API token"
regex = '''(?i)\bokta[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?(00[A-Za-z0-9_-]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["okta"]
entropy = 3.5
tags = ["okta"]
examples = ['''OKTA_API_TOKEN=005Rq2wbDVYevnq5Da3ysyM3m5ms5AzRvaihAuzRJ2''']
negatives = ['''OKTA_DOMAIN=dev.okta.com''']

[[rule]]
id = "grafana-cloud-token"
description = "Grafana Cloud API token"
regex = '''\b(glc_[A-Za-z0-9+/]{32,400}={0,2})'''
keywords = ["glc_"]
entropy = 3.5
tags = ["grafana"]
examples = ['''glc_92b8e0oAVGjzYGh5yxJQi+pHxdHHvKyPhHln7kgawVBv1fwCKZPq4MqOqfofBJ4qKv83uE30Kb41zkWP''']
negatives = ['''glc_AOKgar1Xwy''']

[[rule]]
id = "grafana-service-account-token"
description = "Grafana service account token"
regex = '''\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b'''
keywords = ["glsa_"]
tags = ["grafana"]
examples = ['''glsa_zvJa27BwWwIJCrFIDDHrbR03Lc0opk5l_3a8ccffe''']
negatives = ['''glsa_GjG4dciLjk_07699d32''']

[[rule]]
id = "new-relic-user-key"
description = "New Relic user API key"
regex = '''\b(NRAK-[A-Z0-9]{27})\b'''
keywords = ["nrak-"]
tags = ["newrelic"]
examples = ['''NRAK-CZYWIUJPXOFF2HBKUFX0DOQ1V9T''']
negatives = ['''NRAK-K8AZ8PJQHH''']

[[rule]]
id = "new-relic-ingest-key"
description = "New Relic license / ingest key"
regex = '''\b(NRII-[A-Za-z0-9_-]{32}|[a-f0-9]{36}NRAL)\b'''
keywords = ["nrii-", "nral"]
tags = ["newrelic"]
examples = ['''NRII-lv3mfW7nA589waB_hxz5u2hLj4dS4b1z''', '''9800950473f987a242f46f11f9b744426ef5NRAL''']
negatives = ['''NRII-B8fVd''']

[[rule]]
id = "datadog-api-key"
description = "Datadog API or application key"
regex = '''(?i)\b(?:datadog|dd)[_-]?(?:api|app|application)[_-]?key["']?[ \t]*(?:=|:)[ \t]*["']?([a-f0-9]{32}|[a-f0-9]{40})\b'''
keywords = ["datadog", "dd_api", "dd_app", "dd-api", "dd-app", "ddapi", "ddapp"]
tags = ["datadog"]
examples = ['''DD_API_KEY=f8be5e3ce039daedfc03948bb766b415''', '''datadog_app_key: 29b51f6962f04c473902739923c07fbbef342ec1''']
negatives = ['''DD_API_KEY=f8c3172f03d3e0ca''']

[[rule]]
id = "sentry-org-token"
description = "Sentry organization auth token"
regex = '''\b(sntrys_eyJ[A-Za-z0-9+/=_-]{80,})'''
keywords = ["sntrys_"]
tags = ["sentry"]
examples = ['''sntrys_eyJz2y+4rWjuUfB5W8OVBBk+bMbb66S1lzEjQ4W/Gmmjw5qnOxDhwCh2VrGBhTqQ87OWWtOKnUp8LCgXO5JgsQYb9VgiWuYQvpCEbZBM1fASefAqKn+atChcuPa''']
negatives = ['''sntrys_eyJabc''']

[[rule]]
id = "sentry-user-token"
description = "Sentry user auth token"
regex = '''\b(sntryu_[a-f0-9]{64})\b'''
keywords = ["sntryu_"]
tags = ["sentry"]
examples = ['''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''']
negatives = ['''sntryu_c9dbe52968''']

[[rule]]
id = "dynatrace-token"
description = "Dynatrace API token"
regex = '''\b(dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64})\b'''
keywords = ["dt0c01"]
tags = ["dynatrace"]
examples = ['''dt0c01.24O1B41V4TC06XG0L1AV7R29.CLUANW88VWFU1BBNYTCHZKKR8KTUDYC838G2MPUO0YRGGBOFITQC373A45BJ5MUC''']
negatives = ['''dt0c01.EP7MH17Y7FI90MA84ZSWW9IG.ZSGUVHECF2''']

[[rule]]
id = "ibm-cloud-api-key"
description = "IBM Cloud API key"
regex = '''(?i)\bibm[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9_-]{44})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["ibm"]
entropy = 3.5
tags = ["ibm"]
examples = ['''IBM_CLOUD_API_KEY=Ze526JpK2qRZQVGKgEcklSWR_eAu1jqojWN42booCNlt''']
negatives = ['''IBM_REGION=us-south''']

[[rule]]
id = "oracle-oci-key-fingerprint"
description = "Oracle Cloud API signing key fingerprint next to a tenancy"
regex = '''(?i)\bfingerprint\s*=\s*((?:[0-9a-f]{2}:){15}[0-9a-f]{2})'''
keywords = ["fingerprint"]
entropy = 3.0
tags = ["oracle"]
examples = ['''fingerprint=40:ef:67:17:c4:d0:c8:b9:23:a4:ba:79:e2:d1:e7:46''']
negatives = ['''fingerprint=abc''']
)gwrules";
  return k_text;
}

}  // namespace gw::scan::builtin
