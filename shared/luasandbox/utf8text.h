#pragma once

#include <cstddef>
#include <string>

// Plain C++: what the Lua workers send back is cut to size without breaking UTF-8.
namespace prophasis {

// Cuts text to at most maxBytes without splitting a UTF-8 sequence; true when it cut.
bool truncateUtf8(std::string *text, std::size_t maxBytes);

} // namespace prophasis
