#include "core/authn/keyword_credential.h"

#include "core/http/credentials_split.h"
#include "core/http/text_encoding.h"

namespace authpolicy::authn {

KeywordCredential keyword_credential(const http::Request& request, const std::vector<std::string>& keywords) {
    KeywordCredential out;
    const std::string* header = request.header("authorization");
    if (header == nullptr) return out;
    const http::SplitHeader split = http::split_credentials(*header);
    if (split.count == 0) return out;
    bool mine = false;
    for (const auto& keyword : keywords) mine = mine || http::equals_ignore_case(split.parts[0], keyword);
    if (!mine) return out;
    if (split.count == 1) {
        out.kind = KeywordCredential::Kind::NoCredentials;
    } else if (split.count > 2) {
        out.kind = KeywordCredential::Kind::Spaces;
    } else {
        out.kind = KeywordCredential::Kind::Present;
        out.value = split.parts[1];
    }
    return out;
}

}  // namespace authpolicy::authn
