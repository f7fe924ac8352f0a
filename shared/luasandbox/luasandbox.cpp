#include "shared/luasandbox/luasandbox.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <lua.hpp>

namespace prophasis {

namespace {

// The base library without load, loadstring, dofile, loadfile, require, collectgarbage and
// print; setmetatable, xpcall and rawset are replaced below.
constexpr const char *SafeBaseNames[] = {
    "assert", "error",  "getmetatable", "ipairs",   "next",     "pairs", "pcall",    "rawequal",
    "rawget", "rawlen", "select",       "tonumber", "tostring", "type",  "_VERSION",
};

std::size_t blockClass(std::size_t size)
{
    return (size + LuaBlockGranule - 1) / LuaBlockGranule - 1;
}

// Gives a block Lua is done with back: to the cache when it is small and there is room.
// A small block is at least as large as its class (see reallocate()), so any block of the class
// can serve a later request of it.
void releaseBlock(LuaLimits *limits, void *block, std::size_t size)
{
    if (size <= MaxCachedLuaBlockBytes) {
        const std::size_t bytes = (blockClass(size) + 1) * LuaBlockGranule;
        if (limits->cachedBlockBytes + bytes <= limits->blockCacheBytes) {
            void *&head = limits->cachedBlocks[blockClass(size)];
            *static_cast<void **>(block) = head;
            head = block;
            limits->cachedBlockBytes += bytes;
            return;
        }
    }
    std::free(block);
}

void *takeSmallBlock(LuaLimits *limits, std::size_t size)
{
    void *&head = limits->cachedBlocks[blockClass(size)];
    if (void *block = head) {
        head = *static_cast<void **>(block);
        limits->cachedBlockBytes -= (blockClass(size) + 1) * LuaBlockGranule;
        return block;
    }
    return std::malloc((blockClass(size) + 1) * LuaBlockGranule);
}

// realloc() with the small-block cache: a block Lua sees as n ≤ MaxCachedLuaBlockBytes bytes is
// always at least n rounded up to its class, and every block comes from malloc().
void *reallocate(LuaLimits *limits, void *block, std::size_t old, std::size_t size)
{
    if (limits->blockCacheBytes == 0)
        return std::realloc(block, size);
    const bool smallOld = block && old <= MaxCachedLuaBlockBytes;
    if (size <= old) // a shrink must not fail: keep the block, it is large enough
        return old > MaxCachedLuaBlockBytes && size > MaxCachedLuaBlockBytes ? std::realloc(block, size)
                                                                             : block;
    if (size <= MaxCachedLuaBlockBytes) {
        if (smallOld && blockClass(old) == blockClass(size))
            return block;
        void *fresh = takeSmallBlock(limits, size);
        if (fresh && block) {
            std::memcpy(fresh, block, old);
            releaseBlock(limits, block, old);
        }
        return fresh;
    }
    if (!smallOld)
        return std::realloc(block, size);
    void *fresh = std::malloc(size);
    if (fresh) {
        std::memcpy(fresh, block, old);
        releaseBlock(limits, block, old);
    }
    return fresh;
}

// Whether growing a block from old to newSize bytes keeps the state within its limit; records a
// refusal (sticky while the limits are armed, see LuaLimits).
bool mayGrow(LuaLimits *limits, const void *block, std::size_t oldSize, std::size_t old, std::size_t newSize)
{
    // The common case first: nothing refused, room left.
    if (!limits->memoryRefused && !limits->retryPending && limits->usedBytes <= limits->limitBytes &&
        newSize - old <= limits->limitBytes - limits->usedBytes)
        return true;
    const bool retry = limits->retryPending && block == limits->retryBlock &&
                       oldSize == limits->retryOldSize && newSize == limits->retryNewSize;
    limits->retryPending = false;
    if (limits->memoryRefused && limits->armed && !retry)
        return false; // sticky: code that caught the memory error gets no further
    const std::size_t room =
        limits->usedBytes < limits->limitBytes ? limits->limitBytes - limits->usedBytes : 0;
    if (newSize - old > room) {
        if (!limits->memoryRefused) {
            limits->retryPending = true;
            limits->retryBlock = block;
            limits->retryOldSize = oldSize;
            limits->retryNewSize = newSize;
        }
        limits->memoryRefused = true;
        return false;
    }
    if (retry)
        limits->memoryRefused = false; // the emergency collection made room: no harm done
    return true;
}

[[gnu::noinline]] void *limitedAllocSlow(LuaLimits *limits, void *block, std::size_t oldSize,
                                         std::size_t newSize)
{
    const std::size_t old = block ? oldSize : 0; // without a block, oldSize is the kind of object
    if (newSize == 0) {
        if (block) {
            if (limits->blockCacheBytes > 0)
                releaseBlock(limits, block, old);
            else
                std::free(block);
        }
        limits->usedBytes -= old;
        return nullptr;
    }
    if (newSize > old && !mayGrow(limits, block, oldSize, old, newSize))
        return nullptr;
    void *grown = reallocate(limits, block, old, newSize);
    if (grown) {
        limits->usedBytes = limits->usedBytes - old + newSize;
        limits->peakBytes = std::max(limits->peakBytes, limits->usedBytes);
    }
    return grown;
}

// Lua's allocator. The two calls a short run makes most — a new small object, a small object
// freed — are served from the block cache here; everything else takes the slow path.
void *limitedAlloc(void *ud, void *block, std::size_t oldSize, std::size_t newSize)
{
    auto *limits = static_cast<LuaLimits *>(ud);
    if (!block && newSize - 1 < MaxCachedLuaBlockBytes && !limits->memoryRefused && !limits->retryPending &&
        limits->usedBytes + newSize <= limits->limitBytes) {
        const std::size_t sizeClass = blockClass(newSize);
        if (void *cached = limits->cachedBlocks[sizeClass]) {
            limits->cachedBlocks[sizeClass] = *static_cast<void **>(cached);
            limits->cachedBlockBytes -= (sizeClass + 1) * LuaBlockGranule;
            limits->usedBytes += newSize;
            if (limits->usedBytes > limits->peakBytes)
                limits->peakBytes = limits->usedBytes;
            return cached;
        }
    } else if (block && newSize == 0 && oldSize <= MaxCachedLuaBlockBytes) {
        const std::size_t sizeClass = blockClass(oldSize);
        const std::size_t bytes = (sizeClass + 1) * LuaBlockGranule;
        if (limits->cachedBlockBytes + bytes <= limits->blockCacheBytes) {
            *static_cast<void **>(block) = limits->cachedBlocks[sizeClass];
            limits->cachedBlocks[sizeClass] = block;
            limits->cachedBlockBytes += bytes;
            limits->usedBytes -= oldSize;
            return nullptr;
        }
    }
    return limitedAllocSlow(limits, block, oldSize, newSize);
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

// A coroutine inherits its creator's hook (lua_newthread copies it), but counts its own
// instructions from the hook interval down, so one that ends before the count runs out is never
// charged. Creating one therefore costs a whole interval up front, or a loop over fresh short
// coroutines would run unmetered.
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
// (run by coroutine.close and coroutine.wrap), and xpcall's message handler. So sandboxed code
// gets no __gc or __close metamethods, and an xpcall whose handler runs after the error is
// caught. Otherwise this is what the base library's setmetatable does.
int sandboxSetmetatable(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    const int type = lua_type(L, 2);
    luaL_argexpected(L, type == LUA_TNIL || type == LUA_TTABLE, 2, "nil or table");
    if (type == LUA_TTABLE) {
        for (const char *event : {"__gc", "__close"}) {
            if (rawField(L, 2, event) != LUA_TNIL)
                return luaL_error(L, "%s metamethods are not available in the sandbox", event);
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

// __newindex of a read-only library view; upvalue 1 is the library's name.
int readOnlyNewindex(lua_State *L)
{
    return luaL_error(L, "the %s library is read-only", lua_tostring(L, lua_upvalueindex(1)));
}

// __pairs of a read-only view: iterate the library itself. Upvalues: next, the library.
int readOnlyPairs(lua_State *L)
{
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_pushvalue(L, lua_upvalueindex(2));
    lua_pushnil(L);
    return 3;
}

bool isReadOnlyView(lua_State *L, int index)
{
    if (!lua_getmetatable(L, index))
        return false;
    const bool readOnly =
        rawField(L, -1, "__newindex") == LUA_TFUNCTION && lua_tocfunction(L, -1) == readOnlyNewindex;
    lua_pop(L, 2);
    return readOnly;
}

// rawset as the base library has it, except on read-only library views.
int sandboxRawset(lua_State *L)
{
    luaL_checktype(L, 1, LUA_TTABLE);
    luaL_checkany(L, 2);
    luaL_checkany(L, 3);
    if (isReadOnlyView(L, 1))
        return luaL_error(L, "cannot change a read-only library");
    lua_settop(L, 3);
    lua_rawset(L, 1);
    return 1;
}

} // namespace

int rawField(lua_State *L, int index, const char *key)
{
    lua_pushstring(L, key);
    return lua_rawget(L, index < 0 && index > LUA_REGISTRYINDEX ? index - 1 : index);
}

lua_State *newLimitedLuaState(LuaLimits *limits)
{
    lua_State *L = lua_newstate(limitedAlloc, limits);
    if (L)
        lua_atpanic(L, panicHandler);
    return L;
}

void closeLimitedLuaState(lua_State *L, LuaLimits *limits)
{
    if (L)
        lua_close(L);
    for (void *&head : limits->cachedBlocks) {
        while (void *block = head) {
            head = *static_cast<void **>(block);
            std::free(block);
        }
    }
    limits->cachedBlockBytes = 0;
}

void startLuaLimits(lua_State *L, LuaLimits *limits, std::uint64_t budget, std::size_t limitBytes)
{
    limits->limitBytes = limitBytes;
    limits->memoryRefused = false;
    limits->retryPending = false;
    limits->peakBytes = limits->usedBytes;
    limits->instructions = 0;
    limits->budget = budget;
    limits->budgetExceeded = false;
    limits->armed = true;
    lua_sethook(L, countHook, LUA_MASKCOUNT, LuaHookInterval);
}

void stopLuaLimits(lua_State *L, LuaLimits *limits, std::size_t limitBytes)
{
    lua_sethook(L, nullptr, 0, 0);
    limits->armed = false; // memoryRefused stays for luaLimitHit() but refuses no more
    limits->retryPending = false;
    limits->budget = std::numeric_limits<std::uint64_t>::max();
    limits->limitBytes = limitBytes;
}

LuaLimitHit luaLimitHit(const LuaLimits &limits)
{
    if (limits.budgetExceeded)
        return LuaLimitHit::Budget;
    if (limits.memoryRefused)
        return LuaLimitHit::Memory;
    return LuaLimitHit::None;
}

void pushSafeLibraries(lua_State *L)
{
    luaL_requiref(L, "_G", luaopen_base, 0);
    const int base = lua_gettop(L);
    lua_createtable(L, 0, 32);
    const int sandbox = lua_gettop(L);
    for (const char *name : SafeBaseNames) {
        lua_getfield(L, base, name);
        lua_setfield(L, sandbox, name);
    }
    const std::pair<const char *, lua_CFunction> replaced[] = {
        {"setmetatable", sandboxSetmetatable},
        {"xpcall", sandboxXpcall},
        {"rawset", sandboxRawset},
    };
    for (const auto &[name, function] : replaced) {
        lua_pushcfunction(L, function);
        lua_setfield(L, sandbox, name);
    }

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
    // Strings' metatable is shared by all code in the state: getmetatable("") must not hand it
    // out (its __index is the real string library).
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    lua_remove(L, base);
}

void makeLibrariesReadOnly(lua_State *L, int index)
{
    const int sandbox = lua_absindex(L, index);
    for (const char *name :
         {LUA_STRLIBNAME, LUA_TABLIBNAME, LUA_MATHLIBNAME, LUA_UTF8LIBNAME, LUA_COLIBNAME}) {
        if (rawField(L, sandbox, name) != LUA_TTABLE) {
            lua_pop(L, 1);
            continue;
        }
        const int library = lua_gettop(L);
        lua_newtable(L); // the view: empty, so every write reaches __newindex
        lua_createtable(L, 0, 4);
        lua_pushvalue(L, library);
        lua_setfield(L, -2, "__index");
        lua_pushstring(L, name);
        lua_pushcclosure(L, readOnlyNewindex, 1);
        lua_setfield(L, -2, "__newindex");
        rawField(L, sandbox, "next");
        lua_pushvalue(L, library);
        lua_pushcclosure(L, readOnlyPairs, 2);
        lua_setfield(L, -2, "__pairs");
        lua_pushboolean(L, 0);
        lua_setfield(L, -2, "__metatable");
        lua_setmetatable(L, -2);
        lua_setfield(L, sandbox, name);
        lua_pop(L, 1);
    }
}

std::string luaErrorText(lua_State *L)
{
    if (lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER) {
        std::size_t length = 0;
        const char *text = lua_tolstring(L, -1, &length);
        if (text)
            return std::string(text, length);
    }
    return std::string("an error object of type ") + luaL_typename(L, -1);
}

} // namespace prophasis
