# Writes the Lua file INPUT into the C++ header OUTPUT as the string constant NAME (a raw string
# literal), so a program carries the Lua code it was built with.
file(READ "${INPUT}" content)
string(FIND "${content}" ")prophasis_lua\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
  "// Generated from ${INPUT} by embedlua.cmake; do not edit.\n#pragma once\n\n"
  "inline constexpr const char ${NAME}[] = R\"prophasis_lua(${content})prophasis_lua\";\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
