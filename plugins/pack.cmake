# Packs one plugin folder into a deterministic .tar.gz with one top-level folder.
# Run as: cmake -DSOURCE_DIR=… -DFOLDER=… -DTOP=… -DOUTPUT=… -DTAR=… -DGZIP=… -P pack.cmake
#
# Deterministic: names sorted, owner and group 0, mtime 0, fixed modes, gzip without a name or a
# time stamp (-n). Tests and fixtures stay out of the package.
foreach(var SOURCE_DIR FOLDER TOP OUTPUT TAR GZIP)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "pack.cmake: ${var} is not set")
  endif()
endforeach()

set(partial "${OUTPUT}.partial")
execute_process(
  COMMAND "${TAR}" --create --file=- --format=gnu
          --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0
          "--mode=u+rwX,go+rX,go-w"
          --exclude=fixtures --exclude=test.lua --exclude=test_*.lua --exclude=tests
          "--transform=s|^${FOLDER}|${TOP}|"
          -C "${SOURCE_DIR}" "${FOLDER}"
  COMMAND "${GZIP}" -n -9
  OUTPUT_FILE "${partial}"
  RESULTS_VARIABLE results)
foreach(result IN LISTS results)
  if(NOT result EQUAL 0)
    file(REMOVE "${partial}")
    message(FATAL_ERROR "pack.cmake: packing ${FOLDER} failed (${results})")
  endif()
endforeach()
file(RENAME "${partial}" "${OUTPUT}")
