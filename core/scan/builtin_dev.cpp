// Built-in dev rules (gw TOML rule format, see docs/scanning.md). Example secrets below are
// random strings in the documented shape of each credential; none is real.
#include "core/scan/builtin_rules.hpp"

namespace gw::scan::builtin {

std::string_view dev_rules() {
  static constexpr std::string_view k_text = R"gwrules([[rule]]
id = "github-pat"
description = "GitHub personal access token (classic)"
regex = '''\b(ghp_[A-Za-z0-9]{36})\b'''
keywords = ["ghp_"]
entropy = 3.0
tags = ["github"]
examples = ['''ghp_L4hhinGW58EZNNI6W7vFf0f341qT57S7U5Ge''']
negatives = ['''ghp_cfLw2xFPPBEuB27Ym3WO''', '''ghp_17iT5l85SW9Q6vEzlKhVuo2gbhAHgKyb8uHwJgQj''']

[[rule]]
id = "github-oauth-token"
description = "GitHub OAuth access token"
regex = '''\b(gho_[A-Za-z0-9]{36})\b'''
keywords = ["gho_"]
entropy = 3.0
tags = ["github"]
examples = ['''gho_ptRjQkJLZVWOxbIXa3ire6IRJzeXkVUyqy7Y''']
negatives = ['''gho_BniAh7SDXh4gC9r6GVDD''', '''gho_UkLAjEa3eH16tIJz0bfz3Gy0NMj8fMHpOKklxzWV''']

[[rule]]
id = "github-user-to-server-token"
description = "GitHub user-to-server token"
regex = '''\b(ghu_[A-Za-z0-9]{36})\b'''
keywords = ["ghu_"]
entropy = 3.0
tags = ["github"]
examples = ['''ghu_xRkvE0tiuZeyRw2oytGuSJjsfWCXOanj03rD''']
negatives = ['''ghu_kuoP7SKsy8e3WGhoep0S''', '''ghu_UrenL4bn3797u2HrLu1PKrIptfJ5VRRsmQ75vjcF''']

[[rule]]
id = "github-app-token"
description = "GitHub server-to-server (app installation) token"
regex = '''\b(ghs_[A-Za-z0-9]{36})\b'''
keywords = ["ghs_"]
entropy = 3.0
tags = ["github"]
examples = ['''ghs_qcl16lwKKJTkOR6gcilPMCE1O2u6eqgiofUl''']
negatives = ['''ghs_zJjoUKdLdrd4kxwAdlRn''', '''ghs_4A8Va3RvuGFirfeDK7JzRV1q7CzwP8aIjMmBiniO''']

[[rule]]
id = "github-refresh-token"
description = "GitHub refresh token"
regex = '''\b(ghr_[A-Za-z0-9]{36})\b'''
keywords = ["ghr_"]
entropy = 3.0
tags = ["github"]
examples = ['''ghr_kingaIUV2Aug90wHeOsGzqs29j7Mt3Mcd5SD''']
negatives = ['''ghr_jvYuTvYmETR92YPQuhJq''', '''ghr_5jPYGvxjMLcQUuk7BjwgOFwmlDPeae9v5xSJUDyE''']

[[rule]]
id = "github-fine-grained-pat"
description = "GitHub fine-grained personal access token"
regex = '''\b(github_pat_[A-Za-z0-9_]{82})\b'''
keywords = ["github_pat_"]
entropy = 3.0
tags = ["github"]
examples = ['''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''']
negatives = ['''github_pat_QyeQNZ0LHbd3NBYzQanopeeVwdEAMe''']

[[rule]]
id = "gitlab-pat"
description = "GitLab personal access token"
regex = '''\b(glpat-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glpat-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glpat-tx0os7TTGno-TudV4Uoo''']
negatives = ['''glpat-OdOyD''']

[[rule]]
id = "gitlab-pipeline-trigger-token"
description = "GitLab pipeline trigger token"
regex = '''\b(glptt-[a-f0-9]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glptt-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glptt-ea64ea274dc1cfe1f0ce23391ac41bc648d0bf98''']
negatives = ['''glptt-cff25''']

[[rule]]
id = "gitlab-runner-token"
description = "GitLab runner authentication token"
regex = '''\b(glrt-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glrt-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glrt-FPT3DJFUi4tVIPKAvsud''']
negatives = ['''glrt-YPZ5z''']

[[rule]]
id = "gitlab-deploy-token"
description = "GitLab deploy token"
regex = '''\b(gldt-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["gldt-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''gldt-kMNkSq6j2neO7zHXz1da''']
negatives = ['''gldt-arGFB''']

[[rule]]
id = "gitlab-feed-token"
description = "GitLab feed token"
regex = '''\b(glft-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glft-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glft-0d3kxAJwt0Tm51F56ZfS''']
negatives = ['''glft-XNJS4''']

[[rule]]
id = "gitlab-oauth-secret"
description = "GitLab OAuth application secret"
regex = '''\b(gloas-[A-Za-z0-9_-]{64})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["gloas-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''gloas-m9nVOV8qwcZg44mVFKRq_eQCwNi9U_VUVeMQFLC8-xEt9A2PCrNNIEMwKaq7cJYt''']
negatives = ['''gloas-G1DoT''']

[[rule]]
id = "gitlab-cicd-job-token"
description = "GitLab CI/CD job token"
regex = '''\b(glcbt-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glcbt-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glcbt-Qzs1pA_nuEqYKfQh_EQL''']
negatives = ['''glcbt-ICWTK''']

[[rule]]
id = "gitlab-agent-token"
description = "GitLab Kubernetes agent token"
regex = '''\b(glagent-[A-Za-z0-9_-]{50})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glagent-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glagent-oWReB5u_xCx8u-GXmewlaE-7R5GSCe0FwmvUdTcXbrN8fsMazo''']
negatives = ['''glagent-fic6s''']

[[rule]]
id = "gitlab-incoming-mail-token"
description = "GitLab incoming mail token"
regex = '''\b(glimt-[A-Za-z0-9_-]{25})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glimt-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glimt-nkG35y6NicfnKdCjPpSLSgvIS''']
negatives = ['''glimt-TodXI''']

[[rule]]
id = "gitlab-scim-token"
description = "GitLab SCIM OAuth token"
regex = '''\b(glsoat-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glsoat-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glsoat-tjChEalq8Mpe3dNyXNKz''']
negatives = ['''glsoat-br-pr''']

[[rule]]
id = "gitlab-feature-flag-token"
description = "GitLab feature flags client token"
regex = '''\b(glffct-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["glffct-"]
entropy = 3.0
tags = ["gitlab"]
examples = ['''glffct-_JxntXzYggORo8SFtZvx''']
negatives = ['''glffct-3dGvU''']

[[rule]]
id = "gitlab-runner-registration-token"
description = "GitLab runner registration token"
regex = '''\b(GR1348941[A-Za-z0-9_-]{20})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["gr1348941"]
tags = ["gitlab"]
examples = ['''GR1348941yqq9lLY9My-aQPDjyrYi''']
negatives = ['''GR1348941typIK''']

[[rule]]
id = "bitbucket-app-password"
description = "Bitbucket / Atlassian app password"
regex = '''\b(ATBB[A-Za-z0-9_=.-]{32})\b'''
keywords = ["atbb"]
entropy = 3.0
tags = ["bitbucket", "atlassian"]
examples = ['''ATBBk2LCL7mdIcVRxsKnD9aLZv3B1rAwa5TD''']
negatives = ['''ATBB3dtNXby2Yc''']

[[rule]]
id = "atlassian-api-token"
description = "Atlassian API token (Jira, Confluence, Bitbucket)"
regex = '''\b(AT(?:ATT|CTT)3[A-Za-z0-9_=-]{150,250})'''
keywords = ["atatt3", "atctt3"]
entropy = 3.5
tags = ["atlassian", "bitbucket"]
examples = ['''ATATT3dWn6dxWT0lzqZ-qfj287ToRuL7NX-fS5BAMH1MH6V86IltiWrtivunzHP9m53jZnuyvty0y1D8WesBT7UhG7URwnlqXKBL6s7W-9Lm60ZYaYE6p1utP1b_2iR9g1NDzueY8C7kw6_plpUbfVj7oBjjvmgjMT-LBRVnfxTwhQm1ExYfsSooqsKmb9sO''']
negatives = ['''ATATT3QMgCq7u5RitwLfuSgzfH9W54Iv18Lb''']

[[rule]]
id = "bitbucket-client-secret"
description = "Bitbucket OAuth client secret"
regex = '''(?i)\bbitbucket[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9_=-]{64})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["bitbucket"]
entropy = 3.5
tags = ["bitbucket"]
examples = ['''BITBUCKET_CLIENT_SECRET=pHUGYxvKcIk91ZiJhkt-4v21dvlhNd_vAcjpx4DgbhIQBKuwpNJxKGRxBP2RmdYx''']
negatives = ['''BITBUCKET_WORKSPACE=team''']

[[rule]]
id = "npm-access-token"
description = "npm access token"
regex = '''\b(npm_[A-Za-z0-9]{36})\b'''
keywords = ["npm_"]
entropy = 3.0
tags = ["npm"]
examples = ['''npm_NHD9EEUZKnSgsfwwAZWazKqbPudgtayXKLqr''']
negatives = ['''npm_heCwaRjFzcydKWZO0nya''']

[[rule]]
id = "npmrc-auth-token"
description = "Registry auth token in an .npmrc"
regex = '''(?i)//[a-z0-9.-]+(?::\d+)?/(?:[^\s:]*/)?:_authToken\s*=\s*([A-Za-z0-9_.+/=-]{20,})'''
keywords = ["_authtoken"]
entropy = 3.0
tags = ["npm"]
examples = ['''//registry.npmjs.org/:_authToken=vbv0aVO3VImxPGWfXg2XJCZBR8BHcg5_XTU3''']
negatives = ['''//registry.npmjs.org/:_authToken=${NPM_TOKEN}''']

[[rule]]
id = "pypi-token"
description = "PyPI / TestPyPI upload token"
regex = '''\b(pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})'''
keywords = ["pypi-age"]
tags = ["pypi"]
examples = ['''pypi-AgEIcHlwaS5vcmc2yLTTyp8iSr8Pp8H5JBFD8mEmIkRGMPwFS5jaF02UKYGC75LlD21XKvGIGjcV2I4mXvbtP''']
negatives = ['''pypi-AgEIcHlwaS5vcmcshort''']

[[rule]]
id = "rubygems-api-key"
description = "RubyGems API key"
regex = '''\b(rubygems_[a-f0-9]{48})\b'''
keywords = ["rubygems_"]
tags = ["rubygems"]
examples = ['''rubygems_41acea638cc23b1629e7f6f07aa7a123aef41dd12e246c40''']
negatives = ['''rubygems_1f0ef055aa5b9f41d233''']

[[rule]]
id = "nuget-api-key"
description = "NuGet API key"
regex = '''\b(oy2[a-z0-9]{43})\b'''
keywords = ["oy2"]
entropy = 3.0
tags = ["nuget"]
examples = ['''oy288esbrlugunxpju9lxbpl6lgqyb514pmdnzhr4hw9tf''']
negatives = ['''oy2xkok6rgdl33r5qi250mo''']

[[rule]]
id = "crates-io-token"
description = "crates.io API token"
regex = '''\b(cio[A-Za-z0-9]{32})\b'''
keywords = ["cio"]
entropy = 3.5
tags = ["rust"]
examples = ['''ciouDbc4TgHwLBeqZVMSR2p8fHuYx802J4n''']
negatives = ['''cio0vFCYYZcM6''', '''audioM9S7nAT1OTDRwft64IQ7SRCYYZXWNQwW''']

[[rule]]
id = "docker-hub-token"
description = "Docker Hub personal or organisation access token"
regex = '''\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,36})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["dckr_pat_", "dckr_oat_"]
tags = ["docker"]
examples = ['''dckr_pat_Vl33mOW7tiDeLZuU2wUdUeuscnJ''']
negatives = ['''dckr_pat_mnh1lmv5JX''']

[[rule]]
id = "docker-config-auth"
description = "Registry credentials in a Docker config.json"
regex = '''"auth"\s*:\s*"([A-Za-z0-9+/]{16,}={0,2})"'''
keywords = ['''"auth"''']
entropy = 3.0
tags = ["docker"]
examples = ['''{"auths":{"ghcr.io":{"auth":"lRAPNB/eL7p/LWPltqIlebufnBF2QnXGR9vUBSJW"}}}''']
negatives = ['''"auth": ""''']

[[rule]]
id = "jfrog-api-key"
description = "JFrog Artifactory API key"
regex = '''\b(AKCp[A-Za-z0-9]{69})\b'''
keywords = ["akcp"]
tags = ["jfrog"]
examples = ['''AKCpATfkLvuidiuk148QSO6GDkFZy6wi3MEPheaoadoLL3CcL0FJaCQhSJbRO8p3Gg9zKH2zV''']
negatives = ['''AKCpJftTNoSbzcgoOHbELJnv''']

[[rule]]
id = "jfrog-identity-token"
description = "JFrog identity / reference token"
regex = '''\b(cmVmdGtuOjAxOj[A-Za-z0-9]{40,})'''
keywords = ["cmvmdgtuojaxoj"]
tags = ["jfrog"]
examples = ['''cmVmdGtuOjAxOjvwIymUS3r70fHQihZSVfcpZdJ9y84ZCBBH6MoVzoUVS3A13STI''']
negatives = ['''cmVmdGtuOjAxOjabc''']

[[rule]]
id = "circleci-token"
description = "CircleCI personal API token"
regex = '''\b(CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40})\b'''
keywords = ["ccipat_"]
tags = ["circleci"]
examples = ['''CCIPAT_Tr53aBrdaSb4GXP0VIc1Tv_a346c60bc6c1a69c67c2c0ac5316593b2136a501''']
negatives = ['''CCIPAT_CLHgWEDaWOCBj9cDHqiWnA_e70f66868b''']

[[rule]]
id = "buildkite-token"
description = "Buildkite API access token"
regex = '''\b(bkua_[a-f0-9]{40})\b'''
keywords = ["bkua_"]
tags = ["buildkite"]
examples = ['''bkua_920e4527f8dd015bf1e5aef970c3baa59159387d''']
negatives = ['''bkua_83bca57a63''']

[[rule]]
id = "sonar-token"
description = "SonarQube / SonarCloud token"
regex = '''\b(sq[pau]_[a-f0-9]{40})\b'''
keywords = ["sqp_", "sqa_", "squ_"]
tags = ["sonar"]
examples = ['''sqp_d8747833408bcdbac4ad2e30b7c9647d819fae63''']
negatives = ['''sqp_8f4033f90f''']

[[rule]]
id = "snyk-token"
description = "Snyk API token"
regex = '''(?i)\bsnyk[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["snyk"]
tags = ["snyk"]
examples = ['''SNYK_TOKEN=379a5940-3c33-635c-50cc-b841bb950697''']
negatives = ['''SNYK_ORG=myorg''']

[[rule]]
id = "codecov-token"
description = "Codecov upload token"
regex = '''(?i)\bcodecov[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["codecov"]
tags = ["codecov"]
examples = ['''CODECOV_TOKEN=5778724b-ad70-6d8f-c6a1-e21c226ce224''']
negatives = ['''CODECOV_FLAGS=unit''']

[[rule]]
id = "postman-api-key"
description = "Postman API key"
regex = '''\b(PMAK-[a-f0-9]{24}-[a-f0-9]{34})\b'''
keywords = ["pmak-"]
tags = ["postman"]
examples = ['''PMAK-afb31ce130b08876a64fd7ec-9e5afbd110fd5b82bcf6266e4199845343''']
negatives = ['''PMAK-33ad2d45d47407ff41117f4a-1ade2f3afc''']

[[rule]]
id = "readme-api-key"
description = "ReadMe API key"
regex = '''\b(rdme_[a-z0-9]{70})\b'''
keywords = ["rdme_"]
tags = ["readme"]
examples = ['''rdme_nr0aq8tw7yd9kjgldvpjcvb636ttih5qwcjn8qunwy8iatrq1j1knztbd481uwkz79w60b''']
negatives = ['''rdme_q77dm6dhlx''']

[[rule]]
id = "figma-token"
description = "Figma personal access token"
regex = '''\b(figd_[A-Za-z0-9_-]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["figd_"]
tags = ["figma"]
examples = ['''figd_9YidHFCU0zcvWmSaxYbp5A8i7mztQ-GzwBPmGziN''']
negatives = ['''figd_N5KvWnVWwj''']

[[rule]]
id = "linear-api-key"
description = "Linear API key"
regex = '''\b(lin_api_[A-Za-z0-9]{40})\b'''
keywords = ["lin_api_"]
tags = ["linear"]
examples = ['''lin_api_bYcYk4SVwtzXFoL7SxWs9jzQk6fbrx1Py3hbMgi5''']
negatives = ['''lin_api_Ei5BNtGxUm''']

[[rule]]
id = "notion-token"
description = "Notion integration token"
regex = '''\b(ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\b'''
keywords = ["ntn_", "secret_"]
entropy = 3.5
tags = ["notion"]
examples = ['''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''', '''secret_trHVTjvZOq3GVSWngu5gaGFvINz1HDEGK8XIEhIagtp''']
negatives = ['''ntn_16526''', '''secret_AsT2dEUx38vBNIAIz1uN''']

[[rule]]
id = "age-secret-key"
description = "age encryption secret key"
regex = '''\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b'''
keywords = ["age-secret-key-1"]
tags = ["age"]
examples = ['''AGE-SECRET-KEY-1FS26VQQG4RG7C2R79Y6TUDWRXL2RHTSRZYUJ5HM5LGPMGPM5ECACXK4X4P''']
negatives = ['''AGE-SECRET-KEY-13YF7Z6QN7AWQ02F5JNJV''']

[[rule]]
id = "onepassword-service-account-token"
description = "1Password service account token"
regex = '''\b(ops_eyJ[A-Za-z0-9+/]{250,}={0,3})'''
keywords = ["ops_eyj"]
entropy = 4.0
tags = ["1password"]
examples = ['''ops_eyJrT4Fn4VoEd0xBh4TIFGVm54i14GCqorhzou8OFECmYzF9a+wpupCe+yOUYEEOrDeirACj+LXgJQNMqGTO1qowHdWwV2DOzubkSIOPCXXuEQc5MOdrqhhXj18KD8j5xSj0Qao74rA98cbxsvHxbPLkI0zEoM2VDgwQdn4pmN9Y8LpmG9m+HbIvjg7qxJs0hP9gFmsLgYndd9T8PHaUoStMTxmTf5qOCGj0rM5rh3Bvypw9Afh10dZ4MnFmYfD+czN3zyOFu73W4WIB4gi8OMiXf7+VHyHgymL3Z4hil9ZG9HF''']
negatives = ['''ops_eyJBrWfCICLVWnR/rHvPeJbZIKap2JVax''']

[[rule]]
id = "onepassword-secret-key"
description = "1Password account secret key"
regex = '''\b(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b'''
keywords = ["a3-"]
entropy = 3.5
tags = ["1password"]
examples = ['''A3-O1TA5G-LX7YLV3AT1O-V2XQM-H3WFC-JFRMW''']
negatives = ['''A3-H24I1G-9KJ''']

[[rule]]
id = "clojars-token"
description = "Clojars deploy token"
regex = '''\b(CLOJARS_[a-z0-9]{60})\b'''
keywords = ["clojars_"]
tags = ["clojars"]
examples = ['''CLOJARS_tahtte1g9yfpkm3cesdiur979t1zxtplnkerbn5xolysrvfvvaa7d6miqqla''']
negatives = ['''CLOJARS_39dzhd9hoe''']

[[rule]]
id = "prefect-api-key"
description = "Prefect API key"
regex = '''\b(pnu_[A-Za-z0-9]{36})\b'''
keywords = ["pnu_"]
tags = ["prefect"]
examples = ['''pnu_2GYl4ChdEp04qiS2qJT4LJKWPM566lgXVHaf''']
negatives = ['''pnu_UxjBXIGUKr''']

[[rule]]
id = "scalingo-token"
description = "Scalingo API token"
regex = '''\b(tk-us-[A-Za-z0-9_-]{48})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["tk-us-"]
tags = ["scalingo"]
examples = ['''tk-us-u7PI2nKsdmfG0b2jC3l4ZsVJE93RzLAdPg-AUH0ARwIfR4nF''']
negatives = ['''tk-us-s10E-VsHrt''']

[[rule]]
id = "travis-ci-token"
description = "Travis CI access token"
regex = '''(?i)\btravis[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([A-Za-z0-9]{22})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["travis"]
entropy = 3.5
tags = ["travis"]
examples = ['''TRAVIS_TOKEN=vfaEjJiIQNmBirzFymqlId''']
negatives = ['''TRAVIS_BRANCH=main''']

[[rule]]
id = "gitea-token"
description = "Gitea / Forgejo access token"
regex = '''(?i)\b(?:gitea|forgejo)[a-z0-9_ .-]{0,20}?(?:key|token|secret|password)["']?[ \t]*(?:=|:=|:|=>)[ \t]*["']?([a-f0-9]{40})(?:[^A-Za-z0-9_-]|$)'''
keywords = ["gitea", "forgejo"]
tags = ["gitea"]
examples = ['''GITEA_TOKEN=90324c9be0738ce0a24dc7e3463d915e6ea84973''']
negatives = ['''GITEA_URL=https://git.local''']
)gwrules";
  return k_text;
}

}  // namespace gw::scan::builtin
