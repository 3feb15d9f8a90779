// Built-in other SaaS APIs (Shopify, Facebook, Dropbox, Airtable, Zendesk, HubSpot...) rules (gw TOML rule format, see docs/scanning.md). Example secrets
// below are random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view saas_rules() {
  static constexpr std::string_view k_text = R"gwrules([[rule]]
id = "shopify-access-token"
description = "Shopify Admin API access token"
regex = '''\b(shpat_[a-fA-F0-9]{32})\b'''
keywords = ["shpat_"]
tags = ["shopify"]
examples = ['''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''']
negatives = ['''shpat_ca5a4419ec''']

[[rule]]
id = "shopify-custom-app-token"
description = "Shopify custom app access token"
regex = '''\b(shpca_[a-fA-F0-9]{32})\b'''
keywords = ["shpca_"]
tags = ["shopify"]
examples = ['''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''']
negatives = ['''shpca_c81d5e28c5''']

[[rule]]
id = "shopify-private-app-token"
description = "Shopify private app access token"
regex = '''\b(shppa_[a-fA-F0-9]{32})\b'''
keywords = ["shppa_"]
tags = ["shopify"]
examples = ['''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''']
negatives = ['''shppa_e04f635f4a''']

[[rule]]
id = "shopify-shared-secret"
description = "Shopify shared secret"
regex = '''\b(shpss_[a-fA-F0-9]{32})\b'''
keywords = ["shpss_"]
tags = ["shopify"]
examples = ['''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''']
negatives = ['''shpss_1f9188a6fc''']

[[rule]]
id = "facebook-access-token"
description = "Facebook / Meta Graph API access token"
regex = '''\b(EAA[A-Z][A-Za-z0-9]{90,})\b'''
keywords = ["eaa"]
entropy = 3.5
tags = ["meta"]
examples = ['''EAAByOG53VAFE32u5FVOaU3vL4bKCiv8DvAcQbsvTLFAa5hwYDl1HxikOMTH2WSSKHDmgBJX91uR8NIVtqypSKYxnF8QIU9MRL7iNCe1pHIiqThiymNpNyXybXpbB53mhXYg9WWpk8Dm7IEGNfk12HCsIx''']
negatives = ['''EAABWZuEe4EXgwR3sDTvFCc4''']

[[rule]]
id = "dropbox-token"
description = "Dropbox short-lived access token"
regex = '''\b(sl\.(?:u\.)?[A-Za-z0-9_-]{130,})'''
keywords = ["sl."]
entropy = 3.5
tags = ["dropbox"]
examples = ['''sl.GA7DqaKlhzQ1Ai69AbM5uOHE68FFEJmP7RpGkyx_zJYi4jgldM4flBVvVSNhy8r1Hsz2XXnJksnbH3hy2MxUDlfCdj579nJaOQRLoOD5_d5XcGtlVy6vxPjLv7QNuTcK_NmY3NvUhASI''']
negatives = ['''sl.qHWkIX2IuVIbIfF3CHyF''']

[[rule]]
id = "contentful-token"
description = "Contentful personal access token"
regex = '''\b(CFPAT-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["cfpat-"]
tags = ["contentful"]
examples = ['''CFPAT-3QwObRugpHrBUrBrgvcTyQiGMBGsgiczjCd3_qXDX4z''']
negatives = ['''CFPAT-_Rk9mXOCSQ''']

[[rule]]
id = "airtable-pat"
description = "Airtable personal access token"
regex = '''\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b'''
keywords = ["pat"]
tags = ["airtable"]
examples = ['''patiQU58kGialbTTP.9499737cb18bd89818e0ca182791b9b5421d1eae82472b56fe4c450d41dd2420''']
negatives = ['''patpVtjkY9JsfbwHJ.b86e17effb''']

[[rule]]
id = "algolia-admin-key"
description = "Algolia admin API key"
regex = '''(?i)\balgolia[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{32})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["algolia"]
tags = ["algolia"]
examples = ['''ALGOLIA_ADMIN_KEY=488dd1f0f09b575326ba4d3dd3965a7d''']
negatives = ['''ALGOLIA_APP_ID=ABC''']

[[rule]]
id = "mapbox-secret-token"
description = "Mapbox secret access token"
regex = '''\b(sk\.eyJ[A-Za-z0-9_-]{50,}\.[A-Za-z0-9_-]{20,})'''
keywords = ["sk.eyj"]
tags = ["mapbox"]
examples = ['''sk.eyJaJRNT9pbShuutbNmoSzQCgeGfj1xkt7PvnNpzoZjkHPC0_gADQEN4R6E26Qa.RmD9eSga20E71qPAQRoAiW''']
negatives = ['''pk.eyJMmDoZkeT1xgg9KdiZ88qLTzij1m3-U-61QlvFbFDadA9i4h_Ykx3asr3JWUQ.C2kithuDMbu4vMC5RellBv''']

[[rule]]
id = "shippo-token"
description = "Shippo API token"
regex = '''\b(shippo_(?:live|test)_[a-f0-9]{40})\b'''
keywords = ["shippo_"]
tags = ["shippo"]
examples = ['''shippo_live_f8c6f23f571e03e3ead2fbab30ed247f370b2561''']
negatives = ['''shippo_live_3cf2ee7308''']

[[rule]]
id = "easypost-api-key"
description = "EasyPost API key"
regex = '''\b(EZ[AT]K[a-zA-Z0-9]{54})\b'''
keywords = ["ezak", "eztk"]
tags = ["easypost"]
examples = ['''EZAKAFo2KiWQpkHFXQIBw4t5dPZdspArBxUpetnUTZ5vscad6QzAeoO4DP''']
negatives = ['''EZAKNEb3meMKhD''']

[[rule]]
id = "typeform-token"
description = "Typeform personal access token"
regex = '''\b(tfp_[A-Za-z0-9_.=-]{59})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["tfp_"]
tags = ["typeform"]
examples = ['''tfp_Tg8DR40Mcb1PphMiGbbNrXu_umwkqFnRRGkSeKzNYQ-SfGZmjAiYoATOqiU''']
negatives = ['''tfp_JOCb4A9jQJ''']

[[rule]]
id = "frameio-token"
description = "Frame.io API token"
regex = '''\b(fio-u-[A-Za-z0-9_=-]{64})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["fio-u-"]
tags = ["frameio"]
examples = ['''fio-u-z1hmkWN-uA39y__ryxwPrbw6tpL0IGWjqvFa_aFXGj7e-N1kaa6aDtMvjaSyFTgz''']
negatives = ['''fio-u-HHMfusZQ8o''']

[[rule]]
id = "zapier-webhook-url"
description = "Zapier catch hook URL"
regex = '''(https://hooks\.zapier\.com/hooks/catch/\d+/[A-Za-z0-9]+/?)'''
keywords = ["hooks.zapier.com"]
tags = ["zapier"]
examples = ['''https://hooks.zapier.com/hooks/catch/7879526/vv2dvd7/''']
negatives = ['''https://hooks.zapier.com/''']

[[rule]]
id = "teams-webhook-url"
description = "Microsoft Teams incoming webhook URL"
regex = '''(https://[a-z0-9-]+\.webhook\.office\.com/webhookb2/[a-z0-9-]{36}@[a-z0-9-]{36}/IncomingWebhook/[a-z0-9]{32}/[a-z0-9-]{36})'''
keywords = ["webhook.office.com"]
tags = ["microsoft"]
examples = ['''https://acme.webhook.office.com/webhookb2/6d10eeb8-e91f-452a-83a0-a38e1231f9f7@81bcc455-548b-532b-8b77-84f507798a03/IncomingWebhook/6bdde4c7482e0637d9ac9396c8a1b137/d3d1c054-5a3a-b2cc-66d7-a244ca5a0762''']
negatives = ['''https://acme.webhook.office.com/webhookb2/''']

[[rule]]
id = "intercom-token"
description = "Intercom access token"
regex = '''(?i)\bintercom[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?(dG9rOj[A-Za-z0-9_=-]{40,})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["intercom"]
tags = ["intercom"]
examples = ['''INTERCOM_TOKEN=dG9rOjW-QKXrSZLfrCcXbVcEOYouHavizaQHAQ7nLC2liyV414ACPWOCggV-''']
negatives = ['''INTERCOM_APP=abc''']

[[rule]]
id = "zendesk-token"
description = "Zendesk API token"
regex = '''(?i)\bzendesk[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["zendesk"]
entropy = 3.5
tags = ["zendesk"]
examples = ['''ZENDESK_API_TOKEN=xuIwV0Du91yiX1F1u8x5zZTTY9RkQA0SFOE10VD7''']
negatives = ['''ZENDESK_SUBDOMAIN=acme''']

[[rule]]
id = "hubspot-private-app-token"
description = "HubSpot private app token"
regex = '''\b(pat-(?:na|eu)1-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b'''
keywords = ["pat-na1-", "pat-eu1-"]
tags = ["hubspot"]
examples = ['''pat-na1-23abe41c-b37b-06c0-0267-c460c2d6271d''']
negatives = ['''pat-na1-cff70e79''']

[[rule]]
id = "asana-pat"
description = "Asana personal access token"
regex = '''\b([012]/\d{16}/\d{16}:[a-f0-9]{32})\b'''
keywords = ["/"]
tags = ["asana"]
examples = ['''2/6011222603150433/0119648892306872:78f57b04602179daad4cb15f35066412''']
negatives = ['''2/5325436363587613/0959269268667822:54be83c869''']

[[rule]]
id = "launchdarkly-key"
description = "LaunchDarkly SDK or API key"
regex = '''\b((?:sdk|api)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b'''
keywords = ["sdk-", "api-"]
tags = ["launchdarkly"]
examples = ['''sdk-d4514caa-e504-edfe-15b6-46d5749e3c96''']
negatives = ['''sdk-585c5ccc''']

[[rule]]
id = "segment-write-key"
description = "Segment public API token"
regex = '''\b(sgp_[A-Za-z0-9]{64})\b'''
keywords = ["sgp_"]
tags = ["segment"]
examples = ['''sgp_6xWvUazXokgIPox7RNENYraqihnnstM4fuxv1uFSimEdacXIOLTkEJvqD6Cg9agV''']
negatives = ['''sgp_p1UHv1gbWs''']

[[rule]]
id = "twitch-oauth-token"
description = "Twitch OAuth token"
regex = '''(?i)\btwitch[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-z0-9]{30})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["twitch"]
entropy = 3.5
tags = ["twitch"]
examples = ['''TWITCH_OAUTH_TOKEN=kozlz7cwnryxu4h4s9bakpepwx3mbg''']
negatives = ['''TWITCH_CHANNEL=me''']

[[rule]]
id = "dropbox-app-secret"
description = "Dropbox app secret"
regex = '''(?i)\bdropbox[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-z0-9]{15})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["dropbox"]
entropy = 3.0
tags = ["dropbox"]
examples = ['''DROPBOX_APP_SECRET=9sko5q7j46jbiox''']
negatives = ['''DROPBOX_PATH=/x''']

[[rule]]
id = "pagerduty-token"
description = "PagerDuty API token"
regex = '''(?i)\bpagerduty[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9_+-]{20})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["pagerduty"]
entropy = 3.5
tags = ["pagerduty"]
examples = ['''PAGERDUTY_TOKEN=ZK3VM09O9LDbxLEbUyMb''']
negatives = ['''PAGERDUTY_SERVICE=web''']
)gwrules";
  return k_text;
}

}  // namespace gw::scan::builtin
