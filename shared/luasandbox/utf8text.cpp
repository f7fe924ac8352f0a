#include "shared/luasandbox/utf8text.h"

namespace prophasis {

bool truncateUtf8(std::string *text, std::size_t maxBytes)
{
    if (text->size() <= maxBytes)
        return false;
    std::size_t cut = maxBytes;
    // Step back over continuation bytes (10xxxxxx) so the cut lands before a sequence's lead byte.
    while (cut > 0 && (static_cast<unsigned char>((*text)[cut]) & 0xc0) == 0x80)
        --cut;
    text->resize(cut);
    return true;
}

} // namespace prophasis
