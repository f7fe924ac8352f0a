#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <unordered_map>

#include "daemon-agent/luaworker/luahostapi.h"
#include "daemon-agent/luaworker/workerprotocol.h"
#include "shared/luasandbox/luasandbox.h"

struct lua_State;

namespace prophasis {

inline constexpr std::size_t MaxLuaScriptBytes = 4 * 1024 * 1024;
inline constexpr std::size_t MaxCachedLuaChunks = 256;

// One Lua state that runs plugins one after another: each run in a fresh sandboxed
// environment, each script compiled once per (directory, entry, mtime).
class LuaRuntime
{
public:
    LuaRuntime();
    ~LuaRuntime();
    LuaRuntime(const LuaRuntime &) = delete;
    LuaRuntime &operator=(const LuaRuntime &) = delete;

    // Never throws for anything a plugin does: every failure is a plugin_error answer.
    LuaWorkerResponse run(const LuaWorkerRequest &request);

    std::size_t cachedChunks() const { return m_chunks.size(); }
    std::size_t memoryInUse() const { return m_limits.usedBytes; }

private:
    enum class Phase
    {
        Load,
        Execute,
        Result,
    };

    struct ChunkStamp
    {
        std::int64_t size = 0;
        std::int64_t mtimeSeconds = 0;
        long mtimeNanoseconds = 0;
        bool operator==(const ChunkStamp &) const = default;
    };

    void buildTemplate();
    bool prepareChunk(const LuaWorkerRequest &request, std::string *error);
    static int protectedRun(lua_State *L);
    void runInState(lua_State *L);
    void pushEnvironment(lua_State *L);
    void readResult(lua_State *L, int index);
    void readMetrics(lua_State *L, int index);
    std::string failureMessage(const std::string &error) const;

    LuaLimits m_limits; // before m_state: the allocator uses it from the first allocation
    lua_State *m_state = nullptr;
    LuaHostContext m_host;
    std::unordered_map<std::string, ChunkStamp> m_chunks; // path → stamp of the compiled chunk

    // The run in progress, kept here rather than on the stack (see LuaHostContext).
    const LuaWorkerRequest *m_request = nullptr;
    std::string m_path;
    std::string m_chunkName;
    std::string m_source; // read when the chunk must be (re)compiled
    ChunkStamp m_stamp;
    bool m_compile = false;
    bool m_dropCache = false;
    Phase m_phase = Phase::Load;
    LuaWorkerResponse m_response;
};

} // namespace prophasis
