#pragma once

#include <cstddef>
#include <cstdint>

// The bounds of one Lua plugin run in prophasis-agent-lua, as the agent may set them per run
// (agent.json: lua_budget_instructions, lua_memory_limit_mb). Plain C++: the worker and the
// agent's Qt side both include it.
namespace prophasis {

inline constexpr std::uint64_t DefaultLuaBudgetInstructions = 50'000'000;
inline constexpr std::uint64_t MinLuaBudgetInstructions = 1'000;
inline constexpr std::uint64_t MaxLuaBudgetInstructions = 100'000'000'000;
inline constexpr std::size_t DefaultLuaMemoryLimitBytes = 32 * 1024 * 1024;
inline constexpr std::size_t MinLuaMemoryLimitBytes = 256 * 1024;
inline constexpr std::size_t MaxLuaMemoryLimitBytes = std::size_t(1) << 30;

} // namespace prophasis
