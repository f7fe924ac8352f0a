#pragma once

#include <array>
#include <utility>

#include "shared/domain/enumnames.h"

namespace prophasis {

// What an agent demands of plugin package signatures (SPEC §4).
enum class SignatureMode
{
    Off,             // signatures are ignored
    VerifyIfPresent, // a signature that is present must be good and trusted
    Enforce,         // every package must carry a good signature from a trusted key
};

template <>
struct EnumNames<SignatureMode>
{
    static constexpr std::array<std::pair<SignatureMode, const char *>, 3> table = {{
        {SignatureMode::Off, "off"},
        {SignatureMode::VerifyIfPresent, "verify-if-present"},
        {SignatureMode::Enforce, "enforce"},
    }};
};

} // namespace prophasis
