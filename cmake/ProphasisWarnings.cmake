# Strict warnings for our own targets only; third-party headers come in as system includes.
# No -Wnull-dereference: at -O2 GCC 12 reports false positives from inlined Qt containers.
function(prophasis_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Woverloaded-virtual
    -Wcast-align -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    -Wmissing-declarations -Wsign-compare)
  if(PROPHASIS_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
