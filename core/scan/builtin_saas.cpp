// Built-in saas rules (gw TOML rule format, see docs/scanning.md). Example secrets below are
// random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view saas_rules() {
  static constexpr std::string_view k_text = R"gwrules([[rule]]
id = "stripe-secret-key"
description = "Stripe secret key"
regex = '''\b(sk_(?:live|test)_[A-Za-z0-9]{24,247})\b'''
keywords = ["sk_live_", "sk_test_"]
entropy = 3.0
tags = ["stripe", "payment"]
examples = ['''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''', '''sk_test_EW00A20NLChO0fKznatiSTRs''']
negatives = ['''sk_live_5z4i6tlVMQ''', '''pk_live_n4S1t6meUOOVWVmHerdPRwER''']

[[rule]]
id = "stripe-restricted-key"
description = "Stripe restricted key"
regex = '''\b(rk_(?:live|test)_[A-Za-z0-9]{24,247})\b'''
keywords = ["rk_live_", "rk_test_"]
entropy = 3.0
tags = ["stripe", "payment"]
examples = ['''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''']
negatives = ['''rk_live_u6GDTY4gwF''']

[[rule]]
id = "stripe-webhook-secret"
description = "Stripe webhook signing secret"
regex = '''\b(whsec_[A-Za-z0-9]{32,})\b'''
keywords = ["whsec_"]
entropy = 3.0
tags = ["stripe", "payment"]
examples = ['''whsec_XHsnG2b4VIFaUfVebg686J43GOgqx2H6''']
negatives = ['''whsec_5cZ0sc7isN''']

[[rule]]
id = "braintree-access-token"
description = "Braintree / PayPal access token"
regex = '''\b(access_token\$production\$[a-z0-9]{16}\$[a-f0-9]{32})\b'''
keywords = ["access_token$production$"]
tags = ["paypal", "payment"]
examples = ['''access_token$production$vojm2a8bdxwgfn7r$6448b2e5ff4b9346cf8a2a55b348c0d6''']
negatives = ['''access_token$production$abc''']

[[rule]]
id = "square-access-token"
description = "Square access token"
regex = '''\b(sq0atp-[A-Za-z0-9_-]{22}|EAAA[A-Za-z0-9_-]{60})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["sq0atp-", "eaaa"]
entropy = 3.0
tags = ["square", "payment"]
examples = ['''sq0atp-N7T9w8vG-2j_SnyoxYYfRx''', '''EAAA2nVwJx8TZKQt7Q2fscTE5LJqmpoweWc0oDIz4GDZPoY3iSW_of-8TG1Agn67''']
negatives = ['''sq0atp-Gqtz5''']

[[rule]]
id = "square-oauth-secret"
description = "Square OAuth application secret"
regex = '''\b(sq0csp-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["sq0csp-"]
tags = ["square", "payment"]
examples = ['''sq0csp-cr7yvnYpF0wO-xbvFWIsa4icbOdYjMj8UCovasggEZs''']
negatives = ['''sq0csp-NvxSYBHZz8''']

[[rule]]
id = "flutterwave-secret-key"
description = "Flutterwave secret or encryption key"
regex = '''\b(FLW(?:SECK|PUBK)_TEST-[a-h0-9]{32}-X|FLWSECK[A-Za-z0-9_-]{12})\b'''
keywords = ["flwseck", "flwpubk"]
tags = ["flutterwave", "payment"]
examples = ['''FLWSECK_TEST-43a46076618cfc25d06525b04c1d0006-X''']
negatives = ['''FLWSECK_TEST-abc''']

[[rule]]
id = "plaid-access-token"
description = "Plaid access token"
regex = '''\b(access-(?:sandbox|development|production)-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b'''
keywords = ["access-sandbox-", "access-development-", "access-production-"]
tags = ["plaid", "payment"]
examples = ['''access-production-fecd6885-81af-fe14-b59b-0d1b66c2a5fe''']
negatives = ['''access-production-b2cde5c9''']

[[rule]]
id = "razorpay-secret"
description = "Razorpay key secret"
regex = '''(?i)\brazorpay[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9]{24})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["razorpay"]
entropy = 3.5
tags = ["razorpay", "payment"]
examples = ['''RAZORPAY_KEY_SECRET=SnqcH8NBCjBgE8xWyFeC7Npf''']
negatives = ['''RAZORPAY_KEY_ID=rzp_test_abc''']

[[rule]]
id = "paystack-secret-key"
description = "Paystack secret key"
regex = '''\b(sk_(?:live|test)_[a-f0-9]{40})\b'''
keywords = ["sk_live_", "sk_test_"]
tags = ["paystack", "payment"]
examples = ['''sk_live_1b6390094068876375689897ee77e50b93f00265''']
negatives = ['''sk_live_8a329bb079''']

[[rule]]
id = "coinbase-api-secret"
description = "Coinbase API secret"
regex = '''(?i)\bcoinbase[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9+/=_-]{32,88})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["coinbase"]
entropy = 3.5
tags = ["coinbase", "payment"]
examples = ['''COINBASE_API_SECRET=DQGsTuiu35zfE/otOm79VGsPWlf8YAe8duY/BaLEmvCX5YOlb07/jP+6ODfyAMRU''']
negatives = ['''COINBASE_ENV=sandbox''']

[[rule]]
id = "slack-bot-token"
description = "Slack bot token"
regex = '''\b(xoxb-[0-9]{10,13}-[0-9]{10,13}-[A-Za-z0-9]{24,34})\b'''
keywords = ["xoxb-"]
tags = ["slack"]
examples = ['''xoxb-990289394462-407756719775-VW8VCWtWcf7WJy7abjPHOFVp''']
negatives = ['''xoxb-342198219106-Vukdzd2PfS''']

[[rule]]
id = "slack-user-token"
description = "Slack user or workspace token"
regex = '''\b(xox[pe](?:-[0-9]{10,13}){3}-[a-f0-9]{32})\b'''
keywords = ["xoxp-", "xoxe-"]
tags = ["slack"]
examples = ['''xoxp-422257643618-356480145258-509779973713-f0fbd847ccc71c9b8318d3e3138e39fa''']
negatives = ['''xoxp-965203999355-ce9f998865f490ece6cd297d2f98a20f''']

[[rule]]
id = "slack-app-token"
description = "Slack app-level token"
regex = '''\b(xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{64})\b'''
keywords = ["xapp-"]
tags = ["slack"]
examples = ['''xapp-1-N8EU29KGPWZ-1787447854464-f450720560785791d6e7cb84dd9c83c01f428bae5793a7bb540fdda2802542fa''']
negatives = ['''xapp-1-RCLPZHX7I8T-3270958677099-18992ffcfe''']

[[rule]]
id = "slack-config-token"
description = "Slack configuration access or refresh token"
regex = '''\b(xoxe(?:\.xox[bp])?-\d-[A-Z0-9]{146,170})\b'''
keywords = ["xoxe"]
tags = ["slack"]
examples = ['''xoxe.xoxp-1-WPIDQ24D6BZYQUGL5PHCO02L2VSGS9AKK4K6EFKXIY6449O2MH43PTASLVQJTS47N270711CJXK7GLU21KACPEEWO3C7BEGN16HITG9T4WIUGVFJLHWWO61QN39JLWD13KHBASO19Z98SMNIJY093TN4KCY4ZP04R9T''']
negatives = ['''xoxe.xoxp-1-F2P3UU3UKCFUH19JDMDK''']

[[rule]]
id = "slack-legacy-token"
description = "Slack legacy token"
regex = '''\b(xox[osar]-\d+-\d+-\d+-[a-f0-9]{32})\b'''
keywords = ["xoxo-", "xoxs-", "xoxa-", "xoxr-"]
tags = ["slack"]
examples = ['''xoxs-1117431639-6970868991-8122446465-b9de913c3c2ad75db181bd71f4b5d5f1''']
negatives = ['''xoxs-1-2-3-abc''']

[[rule]]
id = "slack-webhook-url"
description = "Slack incoming webhook URL"
regex = '''(https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,100})'''
keywords = ["hooks.slack.com"]
entropy = 3.0
tags = ["slack"]
examples = ['''https://hooks.slack.com/services/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''']
negatives = ['''https://hooks.slack.com/services/''']

[[rule]]
id = "discord-webhook-url"
description = "Discord webhook URL"
regex = '''(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,68})'''
keywords = ["discord"]
tags = ["discord"]
examples = ['''https://discord.com/api/webhooks/533319563244959377/C4Zah7Mjrcxt_26O9ZRe1Jb5GmkUiO6Djlw928TIy2bkuCZNwwqgXs0BoyiYK-Elw_l2''']
negatives = ['''https://discord.com/api/webhooks/839861885423605602/abc''']

[[rule]]
id = "discord-bot-token"
description = "Discord bot token"
regex = '''(?i)\bdiscord[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["discord"]
tags = ["discord"]
examples = ['''DISCORD_BOT_TOKEN=MwELp_x38Tr2ZjlnIqGOOrj8.2daCWR.c_So7ZApCkn7_1fe_KAuksU5g12''']
negatives = ['''DISCORD_GUILD=1234''']

[[rule]]
id = "telegram-bot-token"
description = "Telegram bot API token"
regex = '''\b(\d{8,10}:AA[A-Za-z0-9_-]{33})(?:[^A-Za-z0-9_-]|$)'''
keywords = [":aa"]
tags = ["telegram"]
examples = ['''3015277578:AApqcIR4GLIWve_wq4_0Wf9VjmEVRWXvOqv''']
negatives = ['''9339656318:AAUylZPSp8wp''']

[[rule]]
id = "twilio-api-key"
description = "Twilio API key SID"
regex = '''\b(SK[0-9a-fA-F]{32})\b'''
keywords = ["sk"]
entropy = 3.0
tags = ["twilio"]
examples = ['''SK2fc1f59ca1831f913823a6417ce41520''']
negatives = ['''SK6449cb804e7f4089e711''', '''ASK997ffcf14c3bf1d90f89838d5064e3fa''']

[[rule]]
id = "twilio-auth-token"
description = "Twilio auth token"
regex = '''(?i)\btwilio[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{32})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["twilio"]
tags = ["twilio"]
examples = ['''TWILIO_AUTH_TOKEN=e1354123549d91a632eabff96bc17d15''']
negatives = ['''TWILIO_PHONE=+15550100''']

[[rule]]
id = "sendgrid-api-key"
description = "SendGrid API key"
regex = '''\b(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["sg."]
tags = ["sendgrid"]
examples = ['''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''']
negatives = ['''SG.JidUB5Lwxz2NkjfKVZd1CQ.4FVlCAturF''']

[[rule]]
id = "mailgun-api-key"
description = "Mailgun private API key"
regex = '''\b(key-[a-f0-9]{32})\b'''
keywords = ["key-"]
entropy = 3.0
tags = ["mailgun"]
examples = ['''key-205387474e40ffc6b53fe1f63192cad2''']
negatives = ['''key-ff682698c9''']

[[rule]]
id = "mailgun-signing-key"
description = "Mailgun webhook signing key"
regex = '''\b([a-f0-9]{32}-[a-f0-9]{8}-[a-f0-9]{8})\b'''
keywords = ["mailgun"]
tags = ["mailgun"]
examples = ['''MAILGUN_SIGNING_KEY=52f2a2e6ef9ec4ced2d473ebeec2d90e-818eeb9a-39032421''']
negatives = ['''MAILGUN_DOMAIN=mg.example.org''']

[[rule]]
id = "mailchimp-api-key"
description = "Mailchimp API key"
regex = '''\b([a-f0-9]{32}-us\d{1,2})\b'''
keywords = ["-us"]
entropy = 3.0
tags = ["mailchimp"]
examples = ['''656e0bb4fcf80cc8b561963c4f220f27-us21''']
negatives = ['''ae7a8333fd-us21''']

[[rule]]
id = "brevo-api-key"
description = "Brevo (Sendinblue) API key"
regex = '''\b(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16})\b'''
keywords = ["xkeysib-"]
tags = ["brevo"]
examples = ['''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''']
negatives = ['''xkeysib-afda155bba''']

[[rule]]
id = "postmark-server-token"
description = "Postmark server token"
regex = '''(?i)\bpostmark[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["postmark"]
tags = ["postmark"]
examples = ['''POSTMARK_SERVER_TOKEN=0accb3b8-2882-ccb9-8d16-b8676bdd5de4''']
negatives = ['''POSTMARK_FROM=me''']

[[rule]]
id = "mailjet-secret"
description = "Mailjet API secret"
regex = '''(?i)\bmailjet[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{32})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["mailjet"]
tags = ["mailjet"]
examples = ['''MAILJET_SECRET_KEY=3a0970a9d1af29711ffbe1f8bb15872e''']
negatives = ['''MAILJET_SENDER=me''']

[[rule]]
id = "resend-api-key"
description = "Resend API key"
regex = '''\b(re_[A-Za-z0-9]{8}_[A-Za-z0-9]{24})\b'''
keywords = ["re_"]
entropy = 3.0
tags = ["resend"]
examples = ['''re_VKLvqNSJ_disy6xmC2TZpYm2udyjrRoSq''']
negatives = ['''re_SAAAbB7Y_qfOaG''']

[[rule]]
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
