// The macOS Keychain backend: generic-password items of service "dev.gw" in the user's login
// keychain, one per item name (the account). Compiled only on Apple; elsewhere the factory says
// the backend does not exist here.
#include "core/secrets/secret_store.hpp"

#ifdef __APPLE__
#include <CoreFoundation/CoreFoundation.h>
#include <Security/Security.h>

#include <algorithm>
#endif

namespace gw::secrets {

#ifdef __APPLE__
namespace {

constexpr const char* k_service = "dev.gw";

// Owns one CoreFoundation reference.
template <class T>
struct CfRef {
  T ref = nullptr;
  explicit CfRef(T r = nullptr) : ref(r) {}
  ~CfRef() {
    if (ref) CFRelease(ref);
  }
  CfRef(const CfRef&) = delete;
  CfRef& operator=(const CfRef&) = delete;
};

CFStringRef cf_string(std::string_view s) {
  return CFStringCreateWithBytes(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(s.data()),
                                 static_cast<CFIndex>(s.size()), kCFStringEncodingUTF8, false);
}

std::string from_cf_string(CFStringRef s) {
  if (!s) return {};
  CFIndex len = CFStringGetMaximumSizeForEncoding(CFStringGetLength(s), kCFStringEncodingUTF8) + 1;
  std::string out(static_cast<size_t>(len), '\0');
  if (!CFStringGetCString(s, out.data(), len, kCFStringEncodingUTF8)) return {};
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string status_message(OSStatus st) {
  CfRef<CFStringRef> msg(SecCopyErrorMessageString(st, nullptr));
  std::string m = from_cf_string(msg.ref);
  return m.empty() ? "OSStatus " + std::to_string(st) : m;
}

// A query dictionary for service dev.gw and, when given, one account.
CFMutableDictionaryRef base_query(std::string_view account) {
  CFMutableDictionaryRef q = CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                                       &kCFTypeDictionaryValueCallBacks);
  CFDictionarySetValue(q, kSecClass, kSecClassGenericPassword);
  CfRef<CFStringRef> service(cf_string(k_service));
  CFDictionarySetValue(q, kSecAttrService, service.ref);
  if (!account.empty()) {
    CfRef<CFStringRef> acct(cf_string(account));
    CFDictionarySetValue(q, kSecAttrAccount, acct.ref);
  }
  return q;
}

const char* k_fix = "unlock the login keychain (Keychain Access) or run `security unlock-keychain`";

class KeychainStore final : public SecretStore {
public:
  Backend backend() const override { return Backend::keychain; }
  std::string location() const override { return "the macOS login Keychain (service dev.gw)"; }

  Result<std::optional<std::string>> get(std::string_view name) override {
    CfRef<CFMutableDictionaryRef> q(base_query(name));
    CFDictionarySetValue(q.ref, kSecReturnData, kCFBooleanTrue);
    CFDictionarySetValue(q.ref, kSecMatchLimit, kSecMatchLimitOne);
    CFTypeRef data = nullptr;
    OSStatus st = SecItemCopyMatching(q.ref, &data);
    if (st == errSecItemNotFound) return std::optional<std::string>{};
    if (st != errSecSuccess)
      return fail(Errc::unavailable, "cannot read '" + std::string(name) + "' from the Keychain: " + status_message(st) + "; " + k_fix);
    CfRef<CFDataRef> owned(static_cast<CFDataRef>(data));
    std::string out(reinterpret_cast<const char*>(CFDataGetBytePtr(owned.ref)), static_cast<size_t>(CFDataGetLength(owned.ref)));
    return std::optional<std::string>(std::move(out));
  }

  Status set(std::string_view name, std::string_view secret) override {
    GW_CHECK(check_item_name(name));
    CfRef<CFDataRef> data(CFDataCreate(kCFAllocatorDefault, reinterpret_cast<const UInt8*>(secret.data()),
                                       static_cast<CFIndex>(secret.size())));
    // Update when the item exists, else add it: SecItemAdd refuses duplicates.
    CfRef<CFMutableDictionaryRef> q(base_query(name));
    CfRef<CFMutableDictionaryRef> attrs(CFDictionaryCreateMutable(kCFAllocatorDefault, 0, &kCFTypeDictionaryKeyCallBacks,
                                                                  &kCFTypeDictionaryValueCallBacks));
    CFDictionarySetValue(attrs.ref, kSecValueData, data.ref);
    OSStatus st = SecItemUpdate(q.ref, attrs.ref);
    if (st == errSecItemNotFound) {
      CfRef<CFMutableDictionaryRef> add(base_query(name));
      CfRef<CFStringRef> label(cf_string("gw: " + std::string(name)));
      CFDictionarySetValue(add.ref, kSecAttrLabel, label.ref);
      CFDictionarySetValue(add.ref, kSecValueData, data.ref);
      st = SecItemAdd(add.ref, nullptr);
    }
    if (st != errSecSuccess)
      return fail(Errc::unavailable, "cannot store '" + std::string(name) + "' in the Keychain: " + status_message(st) + "; " + k_fix);
    return {};
  }

  Result<bool> remove(std::string_view name) override {
    CfRef<CFMutableDictionaryRef> q(base_query(name));
    OSStatus st = SecItemDelete(q.ref);
    if (st == errSecItemNotFound) return false;
    if (st != errSecSuccess)
      return fail(Errc::unavailable, "cannot remove '" + std::string(name) + "' from the Keychain: " + status_message(st) + "; " + k_fix);
    return true;
  }

  Result<std::vector<std::string>> list() override {
    CfRef<CFMutableDictionaryRef> q(base_query({}));
    CFDictionarySetValue(q.ref, kSecReturnAttributes, kCFBooleanTrue);
    CFDictionarySetValue(q.ref, kSecMatchLimit, kSecMatchLimitAll);
    CFTypeRef result = nullptr;
    OSStatus st = SecItemCopyMatching(q.ref, &result);
    std::vector<std::string> names;
    if (st == errSecItemNotFound) return names;
    if (st != errSecSuccess) return fail(Errc::unavailable, "cannot list the Keychain: " + status_message(st) + "; " + k_fix);
    CfRef<CFArrayRef> items(static_cast<CFArrayRef>(result));
    for (CFIndex i = 0; i < CFArrayGetCount(items.ref); ++i) {
      auto dict = static_cast<CFDictionaryRef>(CFArrayGetValueAtIndex(items.ref, i));
      auto acct = static_cast<CFStringRef>(CFDictionaryGetValue(dict, kSecAttrAccount));
      if (acct) names.push_back(from_cf_string(acct));
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

}  // namespace

Result<std::unique_ptr<SecretStore>> make_keychain_store() {
  return std::unique_ptr<SecretStore>(std::make_unique<KeychainStore>());
}

#else

Result<std::unique_ptr<SecretStore>> make_keychain_store() {
  return fail(Errc::unavailable, "the macOS Keychain exists only on macOS; use secret-service or file");
}

#endif

}  // namespace gw::secrets
