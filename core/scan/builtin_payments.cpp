// Built-in payments (Stripe, Braintree, Square, Plaid, Razorpay, Coinbase...) rules (gw TOML rule format, see docs/scanning.md). Example secrets
// below are random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view payments_rules() {
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

)gwrules";
  return k_text;
}

}  // namespace gw::scan::builtin
