// Built-in messaging and email (Slack, Discord, Telegram, Twilio, SendGrid, Mailgun...) rules (gw TOML rule format, see docs/scanning.md). Example secrets
// below are random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view messaging_rules() {
  static constexpr std::string_view k_text = R"gwrules([[rule]]
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

)gwrules";
  return k_text;
}

}  // namespace gw::scan::builtin
