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

// The base library without load, loadstring, dofile, loadfile, require and collectgarbage;
// print, setmetatable and xpcall are replaced below.
constexpr const char *SafeBaseNames[] = {
    "assert", "error",  "getmetatable", "ipairs", "next",     "pairs",    "pcall", "rawequal",
    "rawget", "rawlen", "rawset",       "select", "tonumber", "tostring", "type",  "_VERSION",
};

int rawField(lua_State *L, int table, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, table);
}

void *limitedAlloc(void *ud, void *block, std::size_t oldSize, std::size_t newSize)
{
    auto *limits = static_cast<LuaLimits *>(ud);
    const std::size_t old = block ? oldSize : 0; // without a block, oldSize is the kind of object
    if (newSize == 0) {
        std::free(block);
        limits->usedBytes -= old;
        return nullptr;
    }
    // usedBytes never exceeds limitBytes: a run starts with the limit above what is in use.
    if (newSize > old && newSize - old > limits->limitBytes - limits->usedBytes) {
        limits->memoryRefused = true;
        return nullptr;
    }
    void *grown = std::realloc(block, newSize);
    if (grown) {
        limits->usedBytes = limits->usedBytes - old + newSize;
        limits->peakBytes = std::max(limits->peakBytes, limits->usedBytes);
    }
    return grown;
}

void countHook(lua_State *L, lua_Debug *);

void charge(lua_State *L, std::uint64_t instructions)
{
    void *ud = nullptr;
    lua_getallocf(L, &ud);
    auto *limits = static_cast<LuaLimits *>(ud);
    limits->instructions += instructions;
    if (!limits->budgetExceeded && limits->instructions <= limits->budget)
        return;
    limits->budgetExceeded = true;
    // Fire again on the very next instruction: a pcall that catches this error gets no further.
    lua_sethook(L, countHook, LUA_MASKCOUNT, 1);
    luaL_error(L, "the instruction budget is used up");
}

void countHook(lua_State *L, lua_Debug *)
{
    charge(L, LuaHookInterval);
}

// Each coroutine counts its own instructions from the hook interval down, so one that ends
// before the count runs out is never charged. Creating one therefore costs a whole interval up
// front, or a loop over fresh short coroutines would run unmetered.
int chargedCoroutineFactory(lua_State *L)
{
    charge(L, LuaHookInterval);
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

int panicHandler(lua_State *L)
{
    const char *message = lua_tostring(L, -1);
    std::fprintf(stderr, "unprotected Lua error: %s\n", message ? message : "(no message)");
    std::abort();
}

// An error raised by the count hook is handled with hooks still off. Lua code that runs in that
// state escapes the budget: finalizers (__gc), __close handlers of a coroutine that errored
// (run by coroutine.close and coroutine.wrap), and xpcall's message handler. So plugins get no
// __gc or __close metamethods, and an xpcall whose handler runs after the error is caught.
// Otherwise this is what the base library's setmetatable does.
int sandboxSetmetatable(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const int type = lua_type(L, 2);
    luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
    if (type == LUA_TTABLE) {
        for (const char *event : {"__gc", "__close"}) {
            if (rawField(L, 2, event) != LUA_TNIL)
                return luaL_error(L, "%s metamethods are not available to plugins", event);
            lua_pop(L, 1);
        }
    }
    if (luaL_getmetafield(L, 1, "__metatable") != LUA_TNIL)
        return luaL_error(L, "cannot change a protected metatable");
    lua_settop(L, 2);
    lua_setmetatable(L, 1);
    return 1;
}

// Stack: f, handler, true, results… or f, handler, true, error.
int finishXpcall(lua_State *L, int status, lua_KContext resultsBase)
{
    if (status == LUA_OK || status == LUA_YIELD)
        return lua_gettop(L) - static_cast<int>(resultsBase);
    lua_pushboolean(L, 0);
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -3);
    lua_call(L, 1, 1); // ordinary code now, under the budget
    return 2;
}

// xpcall(f, handler, ...) as the base library has it, except that the handler runs once the
// error has been caught rather than at the point of the error (see above).
int sandboxXpcall(lua_State *L)
{
    const int count = lua_gettop(L);
    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    const int status = lua_pcallk(L, count - 2, LUA_MULTRET, 0, 2, finishXpcall);
    return finishXpcall(L, status, 2);
}

LuaRuntime *runtimeOf(lua_State *L)
{
    return *static_cast<LuaRuntime **>(lua_getextraspace(L));
}

} // namespace

LuaRuntime::LuaRuntime()
{
    m_state = lua_newstate(limitedAlloc, &m_limits);
    if (!m_state)
        throw std::runtime_error("cannot create a Lua state");
    lua_atpanic(m_state, panicHandler);
    *static_cast<LuaRuntime **>(lua_getextraspace(m_state)) = this;
    lua_pushcfunction(m_state, [](lua_State *L) {
        runtimeOf(L)->buildTemplate();
        return 0;
    });
    if (lua_pcall(m_state, 0, 0, 0) != LUA_OK) {
        const std::string message = lua_tostring(m_state, -1) ? lua_tostring(m_state, -1) : "unknown error";
        lua_close(m_state);
        throw std::runtime_error("cannot set up the Lua sandbox: " + message);
    }
}

LuaRuntime::~LuaRuntime()
{
    lua_close(m_state);
}

// The template every run's environment is copied from, kept in the registry where plugins
// cannot reach it.
void LuaRuntime::buildTemplate()
{
    lua_State *L = m_state;
    luaL_requiref(L, "_G", luaopen_base, 0);
    const int base = lua_gettop(L);
    lua_createtable(L, 0, 32);
    const int sandbox = lua_gettop(L);
    for (const char *name : SafeBaseNames) {
        lua_getfield(L, base, name);
        lua_setfield(L, sandbox, name);
    }
    lua_pushcfunction(L, sandboxSetmetatable);
    lua_setfield(L, sandbox, "setmetatable");
    lua_pushcfunction(L, sandboxXpcall);
    lua_setfield(L, sandbox, "xpcall");
    pushSandboxPrint(L, &m_host);
    lua_setfield(L, sandbox, "print");

    const std::pair<const char *, lua_CFunction> libraries[] = {
        {LUA_STRLIBNAME, luaopen_string}, {LUA_TABLIBNAME, luaopen_table},    {LUA_MATHLIBNAME, luaopen_math},
        {LUA_UTF8LIBNAME, luaopen_utf8},  {LUA_COLIBNAME, luaopen_coroutine},
    };
    for (const auto &[name, open] : libraries) {
        luaL_requiref(L, name, open, 0);
        lua_setfield(L, sandbox, name);
    }
    lua_getfield(L, sandbox, LUA_COLIBNAME);
    for (const char *name : {"create", "wrap"}) {
        lua_getfield(L, -1, name);
        lua_pushcclosure(L, chargedCoroutineFactory, 1);
        lua_setfield(L, -2, name);
    }
    lua_pop(L, 1);
    // Out of the real library, not only the copies: ("").dump reaches it through strings'
    // metatable, and a dumped function is bytecode, which is unsafe to load.
    lua_getfield(L, sandbox, LUA_STRLIBNAME);
    lua_pushnil(L);
    lua_setfield(L, -2, "dump");
    lua_pop(L, 1);
    // Strings' metatable is shared by every run: getmetatable("") must not hand it out.
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);

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

    const std::size_t unlimited = std::numeric_limits<std::size_t>::max();
    m_limits.limitBytes = m_limits.usedBytes > unlimited - request.memoryLimitBytes
                              ? unlimited
                              : m_limits.usedBytes + request.memoryLimitBytes;
    m_limits.memoryRefused = false;
    m_limits.peakBytes = m_limits.usedBytes;
    const std::size_t baseline = m_limits.usedBytes;
    m_limits.instructions = 0;
    m_limits.budget = request.budgetInstructions;
    m_limits.budgetExceeded = false;

    lua_State *L = m_state;
    lua_settop(L, 0);
    lua_sethook(L, countHook, LUA_MASKCOUNT, LuaHookInterval);
    lua_pushcfunction(L, protectedRun);
    const int status = lua_pcall(L, 0, 0, 0);
    lua_sethook(L, nullptr, 0, 0);
    m_limits.limitBytes = unlimited;
    m_limits.budget = std::numeric_limits<std::uint64_t>::max();

    if (m_compile && m_phase != Phase::Load)
        m_chunks[m_path] = m_stamp;
    else if (status != LUA_OK && m_phase == Phase::Load)
        m_chunks.erase(m_path);
    if (status != LUA_OK) {
        std::string message;
        if (const char *text = lua_isstring(L, -1) ? lua_tostring(L, -1) : nullptr)
            message = text;
        else
            message = std::string("an error object of type ") + luaL_typename(L, -1);
        m_response = LuaWorkerResponse::pluginError(request.id, failureMessage(status, message));
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

std::string LuaRuntime::failureMessage(int status, const std::string &error) const
{
    if (m_limits.budgetExceeded)
        return "the plugin used up its instruction budget of " +
               std::to_string(m_request->budgetInstructions) + " instructions (an endless loop?)";
    if (m_limits.memoryRefused &&
        (status == LUA_ERRMEM || error.find("not enough memory") != std::string::npos))
        return "the plugin went over its memory limit of " + std::to_string(m_request->memoryLimitBytes) +
               " bytes";
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
