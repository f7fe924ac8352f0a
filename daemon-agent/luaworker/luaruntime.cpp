#include "daemon-agent/luaworker/luaruntime.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include <lua.hpp>
#include <sys/stat.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

// Lua reports errors with longjmp, which skips C++ destructors. Every function below that
// calls the Lua API therefore keeps only trivially destructible locals; strings and vectors
// live in the runtime's members.
namespace prophasis {

namespace {

constexpr const char *TemplateKey = "prophasis.template";
constexpr const char *ChunksKey = "prophasis.chunks";
constexpr std::size_t MaxMetricUnitBytes = 64;
constexpr std::size_t TrimAfterBytes = 8 * 1024 * 1024;

LuaRuntime *runtimeOf(lua_State *L)
{
    return *static_cast<LuaRuntime **>(lua_getextraspace(L));
}

} // namespace

LuaRuntime::LuaRuntime()
{
    m_state = newLimitedLuaState(&m_limits);
    if (!m_state)
        throw std::runtime_error("cannot create a Lua state");
    *static_cast<LuaRuntime **>(lua_getextraspace(m_state)) = this;
    lua_pushcfunction(m_state, [](lua_State *L) {
        runtimeOf(L)->buildTemplate();
        return 0;
    });
    if (lua_pcall(m_state, 0, 0, 0) != LUA_OK) {
        const std::string message = luaErrorText(m_state);
        closeLimitedLuaState(m_state, &m_limits);
        throw std::runtime_error("cannot set up the Lua sandbox: " + message);
    }
}

LuaRuntime::~LuaRuntime()
{
    closeLimitedLuaState(m_state, &m_limits);
}

// The template every run's environment is copied from (shared/luasandbox's safe libraries plus
// print), kept in the registry where plugins cannot reach it.
void LuaRuntime::buildTemplate()
{
    lua_State *L = m_state;
    pushSafeLibraries(L);
    const int sandbox = lua_gettop(L);
    pushSandboxPrint(L, &m_host);
    lua_setfield(L, sandbox, "print");
    lua_pushvalue(L, sandbox);
    lua_setfield(L, LUA_REGISTRYINDEX, TemplateKey);
    lua_newtable(L);
    lua_setfield(L, LUA_REGISTRYINDEX, ChunksKey);
    lua_settop(L, 0);
}

LuaWorkerResponse LuaRuntime::run(const LuaWorkerRequest &request)
{
    std::string error;
    if (!prepareChunk(request, &error))
        return LuaWorkerResponse::pluginError(request.id, error);

    m_request = &request;
    m_response = LuaWorkerResponse{};
    m_response.id = request.id;
    m_phase = Phase::Load;
    m_host.beginRun(request.pluginId, request.directory, request.stateDirectory);

    // The cap is on what the run adds to what the state already holds.
    const std::size_t unlimited = std::numeric_limits<std::size_t>::max();
    const std::size_t baseline = m_limits.usedBytes;
    const std::size_t limit =
        baseline > unlimited - request.memoryLimitBytes ? unlimited : baseline + request.memoryLimitBytes;

    lua_State *L = m_state;
    lua_settop(L, 0);
    startLuaLimits(L, &m_limits, request.budgetInstructions, limit);
    lua_pushcfunction(L, protectedRun);
    int status = lua_pcall(L, 0, 0, 0);
    stopLuaLimits(L, &m_limits);
    // A limit hit is the answer even when the plugin caught the error and carried on.
    if (status == LUA_OK && luaLimitHit(m_limits) != LuaLimitHit::None) {
        status = LUA_ERRRUN;
        lua_pushliteral(L, "a limit was hit");
    }

    if (m_compile && m_phase != Phase::Load)
        m_chunks[m_path] = m_stamp;
    else if (status != LUA_OK && m_phase == Phase::Load)
        m_chunks.erase(m_path);
    if (status != LUA_OK) {
        m_response = LuaWorkerResponse::pluginError(request.id, failureMessage(luaErrorText(L)));
    }
    lua_settop(L, 0);
    // Garbage of this run must not count against the next one, nor sit in memory.
    lua_gc(L, LUA_GCCOLLECT);
#ifdef __GLIBC__
    // glibc keeps freed heap for later; after a run that used megabytes, hand it back.
    if (m_limits.peakBytes - baseline > TrimAfterBytes)
        ::malloc_trim(0);
#endif
    m_host.endRun();
    m_request = nullptr;
    if (m_source.capacity() > 64 * 1024)
        std::string().swap(m_source);
    return std::move(m_response);
}

bool LuaRuntime::prepareChunk(const LuaWorkerRequest &request, std::string *error)
{
    m_path = request.directory;
    if (m_path.back() != '/')
        m_path += '/';
    m_path += request.entry;
    struct stat info;
    if (::stat(m_path.c_str(), &info) != 0) {
        *error = "cannot read the plugin's script " + request.entry + ": " + std::strerror(errno);
        return false;
    }
    if (!S_ISREG(info.st_mode) || info.st_size > static_cast<off_t>(MaxLuaScriptBytes)) {
        *error = "the plugin's script " + request.entry + " is not a regular file of at most 4 MiB";
        return false;
    }
#ifdef __APPLE__
    m_stamp = {info.st_size, info.st_mtimespec.tv_sec, info.st_mtimespec.tv_nsec};
#else
    m_stamp = {info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec};
#endif
    const auto cached = m_chunks.find(m_path);
    m_compile = cached == m_chunks.end() || cached->second != m_stamp;
    if (!m_compile)
        return true;
    if (cached == m_chunks.end() && m_chunks.size() >= MaxCachedLuaChunks) {
        // Clearing the map first keeps it a subset of what the registry holds.
        m_chunks.clear();
        m_dropCache = true;
    }
    if (!readRegularFile(m_path, MaxLuaScriptBytes, &m_source, error))
        return false;
    m_chunkName = "@" + request.entry;
    return true;
}

int LuaRuntime::protectedRun(lua_State *L)
{
    runtimeOf(L)->runInState(L);
    return 0;
}

void LuaRuntime::runInState(lua_State *L)
{
    if (m_dropCache) {
        lua_newtable(L);
        lua_setfield(L, LUA_REGISTRYINDEX, ChunksKey);
        m_dropCache = false;
    }
    lua_getfield(L, LUA_REGISTRYINDEX, ChunksKey);
    const int chunks = lua_gettop(L);
    if (m_compile) {
        // Text only: bytecode can break out of any sandbox.
        if (luaL_loadbufferx(L, m_source.data(), m_source.size(), m_chunkName.c_str(), "t") != LUA_OK)
            lua_error(L);
        lua_pushlstring(L, m_path.data(), m_path.size());
        lua_pushvalue(L, -2);
        lua_rawset(L, chunks);
    } else {
        lua_pushlstring(L, m_path.data(), m_path.size());
        if (lua_rawget(L, chunks) != LUA_TFUNCTION)
            luaL_error(L, "the compiled script went missing from the cache");
    }
    const int chunk = lua_gettop(L);
    m_phase = Phase::Execute;

    // A main chunk has exactly one upvalue, _ENV: pointing it at this run's table keeps the
    // compiled code and leaves the last run's globals behind.
    pushEnvironment(L);
    if (!lua_setupvalue(L, chunk, 1))
        luaL_error(L, "the compiled script has no _ENV");
    lua_pushvalue(L, chunk);
    lua_call(L, 0, 1);
    m_phase = Phase::Result;
    readResult(L, lua_gettop(L));
}

void LuaRuntime::pushEnvironment(lua_State *L)
{
    lua_createtable(L, 0, 32);
    const int environment = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, TemplateKey);
    const int sandbox = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, sandbox) != 0) {
        // Libraries are copied, so a plugin that replaces string.format does so for itself only.
        if (lua_type(L, -1) == LUA_TTABLE) {
            const int library = lua_gettop(L);
            lua_createtable(L, 0, 32);
            lua_pushnil(L);
            while (lua_next(L, library) != 0) {
                lua_pushvalue(L, -2);
                lua_insert(L, -2);
                lua_rawset(L, -4);
            }
            lua_replace(L, library);
        }
        lua_pushvalue(L, -2);
        lua_insert(L, -2);
        lua_rawset(L, environment);
    }
    lua_pop(L, 1);
    lua_pushvalue(L, environment);
    lua_setfield(L, environment, "_G");
    pushHostApi(L, &m_host, m_request->arguments);
    lua_setfield(L, environment, "prophasis");
}

void LuaRuntime::readResult(lua_State *L, int index)
{
    if (lua_type(L, index) != LUA_TTABLE)
        luaL_error(L, "the plugin must return a table {value=, message=, status=, metrics=}, not %s",
                   luaL_typename(L, index));
    LuaWorkerResponse &response = m_response;

    int type = rawField(L, index, "value");
    if (type == LUA_TNUMBER) {
        const double value = lua_tonumber(L, -1);
        if (std::isfinite(value)) // JSON has no NaN or infinity
            response.value = value;
    } else if (type != LUA_TNIL) {
        luaL_error(L, "the plugin's value must be a number or nil, not %s", lua_typename(L, type));
    }
    lua_pop(L, 1);

    type = rawField(L, index, "message");
    if (type == LUA_TSTRING || type == LUA_TNUMBER) {
        std::size_t length = 0;
        const char *text = lua_tolstring(L, -1, &length);
        response.message.assign(text, length);
        response.truncated = truncateUtf8(&response.message, MaxLuaMessageBytes) || response.truncated;
    } else if (type != LUA_TNIL) {
        luaL_error(L, "the plugin's message must be a string, not %s", lua_typename(L, type));
    }
    lua_pop(L, 1);

    type = rawField(L, index, "status");
    if (type == LUA_TSTRING) {
        response.status = lua_tostring(L, -1);
        for (char &c : response.status)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (response.status != "ok" && response.status != "warning" && response.status != "critical" &&
            response.status != "unknown")
            luaL_error(L, "the plugin's status must be ok, warning, critical or unknown, not '%s'",
                       lua_tostring(L, -1));
    } else if (type != LUA_TNIL) {
        luaL_error(L, "the plugin's status must be a string, not %s", lua_typename(L, type));
    }
    lua_pop(L, 1);

    readMetrics(L, index);
}

// metrics = {name = number | {value = number, unit = string}}
void LuaRuntime::readMetrics(lua_State *L, int index)
{
    const int type = rawField(L, index, "metrics");
    if (type == LUA_TNIL) {
        lua_pop(L, 1);
        return;
    }
    if (type != LUA_TTABLE)
        luaL_error(L, "the plugin's metrics must be a table, not %s", lua_typename(L, type));
    const int metrics = lua_gettop(L);
    std::vector<LuaWorkerMetric> &list = m_response.metrics;
    lua_pushnil(L);
    while (lua_next(L, metrics) != 0) {
        const int item = lua_gettop(L);
        if (lua_type(L, item - 1) != LUA_TSTRING)
            luaL_error(L, "the plugin's metric names must be strings, not %s", luaL_typename(L, item - 1));
        std::size_t nameLength = 0;
        const char *name = lua_tolstring(L, item - 1, &nameLength);
        if (nameLength == 0 || nameLength > MaxLuaMetricNameBytes)
            luaL_error(L, "the plugin's metric names must be 1 to %d bytes long", int(MaxLuaMetricNameBytes));
        double value = 0;
        const char *unit = "";
        std::size_t unitLength = 0;
        if (lua_type(L, item) == LUA_TNUMBER) {
            value = lua_tonumber(L, item);
        } else if (lua_type(L, item) == LUA_TTABLE) {
            if (rawField(L, item, "value") != LUA_TNUMBER)
                luaL_error(L, "the plugin's metric '%s' needs a number value", name);
            value = lua_tonumber(L, -1);
            const int unitType = rawField(L, item, "unit");
            if (unitType == LUA_TSTRING)
                unit = lua_tolstring(L, -1, &unitLength);
            else if (unitType != LUA_TNIL)
                luaL_error(L, "the plugin's metric '%s' has a unit that is not a string", name);
        } else {
            luaL_error(L, "the plugin's metric '%s' must be a number or {value=, unit=}", name);
        }
        if (list.size() >= MaxLuaMetrics) {
            m_response.truncated = true;
            break;
        }
        if (std::isfinite(value)) {
            list.push_back({std::string(name, nameLength), value, std::string(unit, unitLength)});
            m_response.truncated =
                truncateUtf8(&list.back().unit, MaxMetricUnitBytes) || m_response.truncated;
        }
        lua_settop(L, item - 1); // keep the key for lua_next
    }
    lua_settop(L, metrics - 1);
    std::sort(list.begin(), list.end(),
              [](const LuaWorkerMetric &a, const LuaWorkerMetric &b) { return a.name < b.name; });
}

std::string LuaRuntime::failureMessage(const std::string &error) const
{
    switch (luaLimitHit(m_limits)) {
    case LuaLimitHit::Budget:
        return "the plugin used up its instruction budget of " +
               std::to_string(m_request->budgetInstructions) + " instructions (an endless loop?)";
    case LuaLimitHit::Memory:
        return "the plugin went over its memory limit of " + std::to_string(m_request->memoryLimitBytes) +
               " bytes";
    case LuaLimitHit::None:
        break;
    }
    switch (m_phase) {
    case Phase::Load:
        return "syntax error: " + error;
    case Phase::Execute:
        return "runtime error: " + error;
    case Phase::Result:
        break;
    }
    return error;
}

} // namespace prophasis
