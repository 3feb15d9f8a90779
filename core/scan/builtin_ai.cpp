// Built-in ai rules (gw TOML rule format, see docs/scanning.md). Example secrets below are
// random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view ai_rules() {
  static constexpr std::string_view k_text = R"gwrules([[rule]]
id = "anthropic-api-key"
description = "Anthropic API key"
regex = '''\b(sk-ant-api\d\d-[A-Za-z0-9_-]{80,120})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["sk-ant-api"]
tags = ["anthropic", "ai"]
examples = ['''sk-ant-api03-R_X1Cj2pFf6UOu2GryXSdRWIhO1BMePFSMeKFnlkyHNgWTiI-vNa4FNwLJqXqdOLHWw8K2Z8Z5iMKZXjDbykGdU33XXqVAA''']
negatives = ['''sk-ant-api03-uTnigbK9LbofFBuaPTfC''']

[[rule]]
id = "anthropic-admin-key"
description = "Anthropic Admin API key"
regex = '''\b(sk-ant-admin\d\d-[A-Za-z0-9_-]{80,120})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["sk-ant-admin"]
tags = ["anthropic", "ai"]
examples = ['''sk-ant-admin01-Db62hbuJCOTaVvgO9h_D3d2--DA68WeAo-kZ6RBVirdUyMdO9vyrpFzB2FfHJ6-lIcZQsrOxg6yIqPcknqgdQQF8LelSDAA''']
negatives = ['''sk-ant-admin01-xtYqYTBuA8''']

[[rule]]
id = "anthropic-oauth-token"
description = "Anthropic OAuth access or refresh token (Claude subscription login)"
regex = '''\b(sk-ant-o[ar]t\d\d-[A-Za-z0-9_-]{80,120})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["sk-ant-oat", "sk-ant-ort"]
tags = ["anthropic", "ai"]
examples = ['''sk-ant-oat01--7I8NPtH8u9Z9nwaAi6M6BKrW-6G8qlGqoMPTwMKkoSsaV042wvC8DyfXPNNRZMys5CWX-uDOpRH1XSvxEC_WkDlHxt5anQ''', '''sk-ant-ort01-5T5dad1e2jIQYxxiVWXs5mMkfGfskRKQcm8elvH1uBqPeji5ZL-cZVUo5uSJo8SEd0Jbut4MQd7kFm-iT8ksGnkw4SX9BEn''']
negatives = ['''sk-ant-oat01-zXVcIAnhdy''']

[[rule]]
id = "openai-api-key"
description = "OpenAI API key (user key with the T3BlbkFJ marker)"
regex = '''\b(sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})\b'''
keywords = ["t3blbkfj"]
tags = ["openai", "ai"]
examples = ['''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''']
negatives = ['''sk-FwTGq4z9BBb6VcTl0niST3BlbkFJTlW7w''']

[[rule]]
id = "openai-scoped-key"
description = "OpenAI project, service-account or admin key"
regex = '''\b(sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{58,200})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["sk-proj-", "sk-svcacct-", "sk-admin-"]
entropy = 3.5
tags = ["openai", "ai"]
examples = ['''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''', '''sk-svcacct-h2qaWHXTaHa7QGfZ--CEoJB-DVlaBoW5UPmF-gtWVtT6rud-OkcqmBizdTB-Wbpu_2-itfvwYSh3QdoP-7k_27MpH5zSN75IpI2L''']
negatives = ['''sk-proj-kTEqOTYsiN2LJ1Pr3CzV''', '''sk-project-name''']

[[rule]]
id = "openai-legacy-key"
description = "OpenAI-style sk- key (48 characters)"
regex = '''\b(sk-[A-Za-z0-9]{48})\b'''
keywords = ["sk-"]
entropy = 3.5
tags = ["openai", "ai"]
examples = ['''sk-B6i14hI9WsnbtWochrtyNaL3cXXQw8Omuti2JJvnCaMXy9uF''']
negatives = ['''sk-QFvO47cz06Bi1IfUK2P4MMlG6ljKDG''', '''task-0MMFngmCWoF8qo9pQ9umXJvSNEGKrxeMqdfEbNUlUxlJ7CBN''']

[[rule]]
id = "huggingface-token"
description = "Hugging Face access token"
regex = '''\b(hf_[A-Za-z]{34})\b'''
keywords = ["hf_"]
entropy = 3.0
tags = ["huggingface", "ai"]
examples = ['''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''']
negatives = ['''hf_CCLrTPeiUqSfoqMMvGvW''']

[[rule]]
id = "huggingface-org-token"
description = "Hugging Face organisation API token"
regex = '''\b(api_org_[A-Za-z]{34})\b'''
keywords = ["api_org_"]
entropy = 3.0
tags = ["huggingface", "ai"]
examples = ['''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''']
negatives = ['''api_org_sbXuRiDvVM''']

[[rule]]
id = "cohere-api-key"
description = "Cohere API key"
regex = '''(?i)\b(?:cohere|co)[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["cohere", "co_api", "co-api"]
entropy = 3.5
tags = ["cohere", "ai"]
examples = ['''COHERE_API_KEY=yrCnGhECKw5fMuGR1pTprRG2zQf42rmcl0wulCau''']
negatives = ['''COHERE_MODEL=command-r''']

[[rule]]
id = "mistral-api-key"
description = "Mistral AI API key"
regex = '''(?i)\bmistral[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9]{32})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["mistral"]
entropy = 3.5
tags = ["mistral", "ai"]
examples = ['''MISTRAL_API_KEY=vg7OHvvKYz5uDpgvK1MD3rzIE1LERTfn''']
negatives = ['''MISTRAL_MODEL=mistral-large''']

[[rule]]
id = "groq-api-key"
description = "Groq API key"
regex = '''\b(gsk_[A-Za-z0-9]{52})\b'''
keywords = ["gsk_"]
tags = ["groq", "ai"]
examples = ['''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''']
negatives = ['''gsk_swAzlqrZzNHDAoIIeBdj''']

[[rule]]
id = "replicate-api-token"
description = "Replicate API token"
regex = '''\b(r8_[A-Za-z0-9]{37})\b'''
keywords = ["r8_"]
entropy = 3.0
tags = ["replicate", "ai"]
examples = ['''r8_MUCIuYGeDDsrU97RlUmqALuD7AEKVeJ8PlrUv''']
negatives = ['''r8_uZVKSMCqXY''']

[[rule]]
id = "perplexity-api-key"
description = "Perplexity API key"
regex = '''\b(pplx-[A-Za-z0-9]{48})\b'''
keywords = ["pplx-"]
tags = ["perplexity", "ai"]
examples = ['''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''']
negatives = ['''pplx-2gRZ0OMZdb''']

[[rule]]
id = "xai-api-key"
description = "xAI (Grok) API key"
regex = '''\b(xai-[A-Za-z0-9]{80})\b'''
keywords = ["xai-"]
tags = ["xai", "ai"]
examples = ['''xai-HEw5JWlww89J9Av1IsYE6wa1NEZfJBLegBgQ0InUkJCCxYMphuabZ8ERHzj35H3GrbrE71JNKCYsfiIN''']
negatives = ['''xai-PCetpjolhcrZPOyrZnDY''']

[[rule]]
id = "deepseek-api-key"
description = "DeepSeek API key"
regex = '''(?i)\bdeepseek[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?(sk-[a-f0-9]{32})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["deepseek"]
tags = ["deepseek", "ai"]
examples = ['''DEEPSEEK_API_KEY=sk-01eceacba4312fb7b23df555ab78dc8f''']
negatives = ['''DEEPSEEK_MODEL=deepseek-chat''']

[[rule]]
id = "openrouter-api-key"
description = "OpenRouter API key"
regex = '''\b(sk-or-v1-[a-f0-9]{64})\b'''
keywords = ["sk-or-v1-"]
tags = ["openrouter", "ai"]
examples = ['''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''']
negatives = ['''sk-or-v1-673ff428d2''']

[[rule]]
id = "fireworks-api-key"
description = "Fireworks AI API key"
regex = '''\b(fw_[A-Za-z0-9]{24})\b'''
keywords = ["fw_"]
entropy = 3.0
tags = ["fireworks", "ai"]
examples = ['''fw_vybnAzKSEANeWB3a2Tmvkqhs''']
negatives = ['''fw_4JmUt3M9L6''']

[[rule]]
id = "together-api-key"
description = "Together AI API key"
regex = '''(?i)\btogether[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{64})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["together"]
tags = ["together", "ai"]
examples = ['''TOGETHER_API_KEY=56d56ad1b0092d2a3cd91079be735310d551d310b0e90d717fbc96c74ff37bfa''']
negatives = ['''TOGETHER_MODEL=llama''']

[[rule]]
id = "langsmith-api-key"
description = "LangSmith API key"
regex = '''\b(lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10})\b'''
keywords = ["lsv2_"]
tags = ["langsmith", "ai"]
examples = ['''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''']
negatives = ['''lsv2_pt_d963144f26''']

[[rule]]
id = "langfuse-secret-key"
description = "Langfuse secret key"
regex = '''\b(sk-lf-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b'''
keywords = ["sk-lf-"]
tags = ["langfuse", "ai"]
examples = ['''sk-lf-5698cb83-5224-b03a-a51f-d546349fbe24''']
negatives = ['''sk-lf-ab924640''']

[[rule]]
id = "pinecone-api-key"
description = "Pinecone API key"
regex = '''\b(pcsk_[A-Za-z0-9]{5,6}_[A-Za-z0-9]{60,70})\b'''
keywords = ["pcsk_"]
tags = ["pinecone", "ai"]
examples = ['''pcsk_kToPOS_CNMTCyzM22yssCMRchx7egrJyJEEy30WdkX0OtzHvXzy0ahbFeKHiLw0cpis0Pl''']
negatives = ['''pcsk_zTcwB8_PgJ0Qk3DgW''']

[[rule]]
id = "wandb-api-key"
description = "Weights & Biases API key"
regex = '''(?i)\bwandb[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["wandb"]
tags = ["wandb", "ai"]
examples = ['''WANDB_API_KEY=d6286e3b1869e1ad3b91c4b17cab84657f754fdb''']
negatives = ['''WANDB_PROJECT=demo''']

[[rule]]
id = "elevenlabs-api-key"
description = "ElevenLabs API key"
regex = '''\b(sk_[a-f0-9]{48})\b'''
keywords = ["sk_"]
entropy = 3.0
tags = ["elevenlabs", "ai"]
examples = ['''sk_05713eeaf1b3d6b60c4a47ac77765fcf892f91da1f134db5''']
negatives = ['''sk_cd225baad0a98f2e964f''']

[[rule]]
id = "nvidia-api-key"
description = "NVIDIA NGC / build.nvidia.com API key"
regex = '''\b(nvapi-[A-Za-z0-9_-]{64})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["nvapi-"]
tags = ["nvidia", "ai"]
examples = ['''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''']
negatives = ['''nvapi-cCzN7yt5ZL''']

[[rule]]
id = "cerebras-api-key"
description = "Cerebras API key"
regex = '''\b(csk-[a-z0-9]{48})\b'''
keywords = ["csk-"]
tags = ["cerebras", "ai"]
examples = ['''csk-rmym3bq3mj3ki10dkojuqqta9ovmjmyi6o0cf5ij68mnaq01''']
negatives = ['''csk-bzd9tw13kj''']

[[rule]]
id = "tavily-api-key"
description = "Tavily API key"
regex = '''\b(tvly-(?:dev-|prod-)?[A-Za-z0-9]{32})\b'''
keywords = ["tvly-"]
tags = ["tavily", "ai"]
examples = ['''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''']
negatives = ['''tvly-66yigkhUOp''']

[[rule]]
id = "voyage-api-key"
description = "Voyage AI API key"
regex = '''\b(pa-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["pa-"]
entropy = 3.5
tags = ["voyage", "ai"]
examples = ['''pa-EjEFKVHHSBeELIhkSjC6kJ5IEk-rcsrVpOwA95ehP54''']
negatives = ['''pa-7WMWs7Z5U2''']

[[rule]]
id = "anyscale-api-key"
description = "Anyscale API key"
regex = '''\b(esecret_[A-Za-z0-9]{26})\b'''
keywords = ["esecret_"]
tags = ["anyscale", "ai"]
examples = ['''esecret_JOR0NZ1md3rdySMb7Mc6G36fDO''']
negatives = ['''esecret_2RVFYvmXLb''']

[[rule]]
id = "assemblyai-api-key"
description = "AssemblyAI API key"
regex = '''(?i)\bassembly_?ai[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{32})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["assembly"]
tags = ["assemblyai", "ai"]
examples = ['''ASSEMBLYAI_API_KEY=a521346735c053337073855d1fdda03f''']
negatives = ['''ASSEMBLYAI_REGION=us''']

[[rule]]
id = "deepgram-api-key"
description = "Deepgram API key"
regex = '''(?i)\bdeepgram[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["deepgram"]
tags = ["deepgram", "ai"]
examples = ['''DEEPGRAM_API_KEY=0a8dcebd5ee5acaba11b5ea3f80e5980014e54fb''']
negatives = ['''DEEPGRAM_MODEL=nova''']
)gwrules";
  return k_text;
}

}  // namespace gw::scan::builtin
