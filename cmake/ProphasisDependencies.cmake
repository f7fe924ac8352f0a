# Every external dependency is found here, once. Debian 12 package names are in
# scripts/deps.sh; the traps behind the odd lines are in ../shared/TOOLCHAIN.md.

find_package(Qt6 6.4 REQUIRED COMPONENTS Core Concurrent Network Sql Test)
if(PROPHASIS_BUILD_CONSOLE)
  find_package(Qt6 6.4 REQUIRED COMPONENTS Widgets Charts PrintSupport LinguistTools)
  # The console keeps passwords in the OS keychain (Secret Service, KWallet, macOS, Windows).
  find_package(Qt6Keychain REQUIRED)
endif()

find_package(PkgConfig REQUIRED)
pkg_check_modules(LUA REQUIRED IMPORTED_TARGET lua5.4)
find_package(LibArchive REQUIRED)
find_package(OpenSSL 3 REQUIRED)
find_package(Gpgmepp REQUIRED)
# Header-only: Beast's HTTP parser.
find_package(Boost 1.74 REQUIRED)

if(PROPHASIS_BUILD_CONSOLE)
  # QScintilla for Qt 6 ships no CMake config.
  find_path(QSCINTILLA_INCLUDE_DIR Qsci/qsciscintilla.h
    PATHS /usr/include/x86_64-linux-gnu/qt6 /usr/include/qt6 REQUIRED)
  find_library(QSCINTILLA_LIBRARY NAMES qscintilla2_qt6 REQUIRED)
  add_library(QScintilla::QScintilla UNKNOWN IMPORTED)
  set_target_properties(QScintilla::QScintilla PROPERTIES
    IMPORTED_LOCATION "${QSCINTILLA_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${QSCINTILLA_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS QSCINTILLA_DLL
    INTERFACE_LINK_LIBRARIES "Qt6::Widgets;Qt6::PrintSupport")
endif()
