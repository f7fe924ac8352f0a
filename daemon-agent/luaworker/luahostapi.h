#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon-agent/luaworker/childprocess.h"

struct lua_State;

// The `prophasis` table Lua plugins see (documented in workermain.cpp and docs/PLUGIN_GUIDE.md).
namespace prophasis {

inline constexpr std::size_t DefaultReadFileBytes = 1024 * 1024;
inline constexpr std::size_t MaxReadFileBytes = 16 * 1024 * 1024;
inline constexpr std::size_t MaxWriteFileBytes = 1024 * 1024;
inline constexpr std::size_t MaxListDirEntries = 65536;
inline constexpr int MaxLogLinesPerRun = 100;
inline constexpr std::size_t MaxLogLineBytes = 4096;
inline constexpr int MaxArgumentDepth = 32;

struct LuaOsFacts
{
    std::string name; // linux, freebsd, openbsd, netbsd, macos, …
    std::string hostname;
    long cpuCount = 1;
    long pageSize = 4096;

    static LuaOsFacts current();
};

// What the host functions work with. It lives in the runtime, outside every Lua call: a Lua
// error is a longjmp that skips C++ destructors, so the functions keep no owning locals and
// do their file and process work in plain C++ helpers that finish before Lua is touched again.
struct LuaHostContext
{
    LuaOsFacts os = LuaOsFacts::current();
    std::string pluginId;
    std::string directory; // relative paths of read_file, list_dir and run's working folder
    std::string stateDirectory; // the one folder write_file writes to; empty: no writing
    int logLines = 0;

    // Scratch space reused between calls.
    std::string path;
    std::string buffer;
    std::string error;
    std::vector<std::string> names;
    std::vector<std::string> argv;
    ChildProcessOptions processOptions;
    ChildProcessResult process;

    void beginRun(const std::string &plugin, const std::string &folder, const std::string &stateFolder);
    void endRun(); // gives big buffers back, so one plugin's 16 MiB read is not kept forever
    void writeLog(const char *text, std::size_t length);
};

// Reads at most maxBytes of a regular file (never a FIFO or device, which could block).
bool readRegularFile(const std::string &path, std::size_t maxBytes, std::string *out, std::string *error);

// Pushes a fresh `prophasis` table (args, os, read_file, list_dir, run, now, log, and state_dir
// with write_file when the run has a state folder) for one run.
void pushHostApi(lua_State *L, LuaHostContext *context, const nlohmann::json &arguments);

// Pushes the sandbox's print: like prophasis.log, never to stdout (the worker's protocol channel).
void pushSandboxPrint(lua_State *L, LuaHostContext *context);

} // namespace prophasis
