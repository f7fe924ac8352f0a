#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

struct lua_State;

// The Lua sandbox that both Lua workers share (the agent's prophasis-agent-lua for plugins,
// the core's prophasis-core-classifier for classifiers): a state whose allocator enforces a
// memory cap, an instruction budget that pcall, xpcall handlers, error and coroutines cannot
// escape, and the allowlist of safe libraries. Plain C++ and Lua 5.4, no Qt.
//
// Lua reports errors with longjmp, which skips C++ destructors: callers keep only trivially
// destructible locals in functions that call the Lua API.
namespace prophasis {

// The count hook runs every this many VM instructions; the budget is checked there.
inline constexpr int LuaHookInterval = 1000;

// Freed blocks of up to this size are kept for reuse when LuaLimits::blockCacheBytes allows.
inline constexpr std::size_t LuaBlockGranule = 16;
inline constexpr std::size_t MaxCachedLuaBlockBytes = 256;
inline constexpr std::size_t LuaBlockClasses = MaxCachedLuaBlockBytes / LuaBlockGranule;

// One state's limits. The allocator's ud points here, and every coroutine shares its state's
// allocator, so a coroutine cannot escape them (a map keyed by lua_State* would miss it).
// Both refusals are sticky: once the budget is used up the hook raises on every instruction,
// and once an allocation is refused every further growth is refused, until the next
// startLuaLimits(), so code that catches the error gets no further.
struct LuaLimits
{
    std::size_t usedBytes = 0;
    std::size_t peakBytes = 0; // since startLuaLimits(), to know when to give memory back
    std::size_t limitBytes = std::numeric_limits<std::size_t>::max();
    bool memoryRefused = false;
    std::uint64_t instructions = 0;
    std::uint64_t budget = std::numeric_limits<std::uint64_t>::max();
    bool budgetExceeded = false;
    bool armed = false; // between startLuaLimits() and stopLuaLimits()

    // After a refusal Lua runs an emergency collection and asks again for the very same
    // block: that one retry may still succeed if the collection made room.
    const void *retryBlock = nullptr;
    std::size_t retryOldSize = 0;
    std::size_t retryNewSize = 0;
    bool retryPending = false;

    // Short runs that build many small tables spend much of their time in malloc and free:
    // freed blocks up to MaxCachedLuaBlockBytes are kept (at most blockCacheBytes of them; 0
    // keeps none) in free lists by size class, and given back by closeLimitedLuaState().
    std::size_t blockCacheBytes = 0;
    std::size_t cachedBlockBytes = 0;
    void *cachedBlocks[LuaBlockClasses] = {};
};

enum class LuaLimitHit
{
    None,
    Budget,
    Memory,
};

// A state that allocates through *limits (which must outlive it) and aborts on an unprotected
// error. Null when even that fails.
lua_State *newLimitedLuaState(LuaLimits *limits);
// Closes the state (when there is one) and frees the blocks its allocator kept.
void closeLimitedLuaState(lua_State *L, LuaLimits *limits);

// Arms the limits for one run: `budget` instructions from now, and no allocation that takes
// the state's memory above `limitBytes`. Clears the sticky refusals of the last run.
void startLuaLimits(lua_State *L, LuaLimits *limits, std::uint64_t budget, std::size_t limitBytes);
// Disarms the hook and lifts the budget; the memory cap becomes `limitBytes` and refusals stop
// being sticky (the caller's own work on the state after a run must not fail). What was hit
// stays readable through luaLimitHit() until the next start.
void stopLuaLimits(lua_State *L, LuaLimits *limits,
                   std::size_t limitBytes = std::numeric_limits<std::size_t>::max());

// Which limit, if any, ended the run.
LuaLimitHit luaLimitHit(const LuaLimits &limits);

// Pushes a new table with the safe globals: the base library without load, loadstring, dofile,
// loadfile, require, collectgarbage and print; setmetatable without __gc and __close; xpcall
// whose handler runs once the error is caught; string (without dump), table, math, utf8 and
// coroutine (create and wrap charged against the budget). Makes the strings' shared metatable
// unreadable (getmetatable("") gives false) and removes string.dump from the real library.
// Call once per state, inside a protected call.
void pushSafeLibraries(lua_State *L);

// Replaces each library table in the table at `index` (string, table, …) with a read-only
// view: reads and pairs() reach the library, writes and setmetatable() raise, rawset() is
// refused. For environments that share one set of libraries between runs.
void makeLibrariesReadOnly(lua_State *L, int index);

// Pushes key from the table at `index` without metamethods; returns its type.
int rawField(lua_State *L, int index, const char *key);

// The error object on top of the stack as text ("an error object of type table" otherwise).
std::string luaErrorText(lua_State *L);

} // namespace prophasis
