#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "daemon-agent/luaworker/luarunlimits.h"
#include "shared/luasandbox/utf8text.h"

// The requests and answers of prophasis-agent-lua (see workermain.cpp for the whole protocol).
namespace prophasis {

// What the worker keeps of a run's answer, matching RunResult's caps on the agent side.
inline constexpr std::size_t MaxLuaMessageBytes = 4096;
inline constexpr std::size_t MaxLuaMetrics = 256;
inline constexpr std::size_t MaxLuaMetricNameBytes = 256;

struct LuaWorkerRequest
{
    std::int64_t id = 0;
    std::string pluginId;
    std::string directory;      // absolute package folder
    std::string stateDirectory; // absolute folder the plugin may write to (prophasis.state_dir); empty: none
    std::string entry;          // .lua file relative to directory
    nlohmann::json arguments = nlohmann::json::object();
    std::string version;
    std::uint64_t budgetInstructions = DefaultLuaBudgetInstructions;
    std::size_t memoryLimitBytes = DefaultLuaMemoryLimitBytes;
};

struct LuaWorkerMetric
{
    std::string name;
    double value = 0;
    std::string unit;
};

struct LuaWorkerResponse
{
    std::int64_t id = 0;
    std::optional<double> value;
    std::string message;
    std::string status; // empty: null; otherwise ok, warning, critical or unknown
    std::vector<LuaWorkerMetric> metrics;
    std::string error; // empty: absent; otherwise "plugin_error"
    bool truncated = false;

    static LuaWorkerResponse pluginError(std::int64_t id, std::string message);
};

enum class LuaRequestParse
{
    Ok,
    BadRequest, // valid JSON with wrong fields: answered with a plugin_error
    Malformed,  // not a JSON object: the stream is broken and the worker exits
};

// Fills *request; on BadRequest *error says what is wrong (and request->id is set when it could be read).
LuaRequestParse parseLuaWorkerRequest(const std::string &payload, LuaWorkerRequest *request,
                                      std::string *error);

// The JSON text of an answer; invalid UTF-8 from a plugin is replaced, never fatal.
std::string serializeLuaWorkerResponse(const LuaWorkerResponse &response);

} // namespace prophasis
