#include "daemon-agent/luaworker/workerprotocol.h"

#include <algorithm>
#include <cmath>

namespace prophasis {

namespace {

using nlohmann::json;

bool readString(const json &object, const char *key, bool required, std::string *out, std::string *error)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
        if (required)
            *error = std::string("'") + key + "' is required";
        return !required;
    }
    if (!it->is_string()) {
        *error = std::string("'") + key + "' must be a string";
        return false;
    }
    *out = it->get<std::string>();
    return true;
}

// Out-of-range limits are clamped rather than refused: the agent's config decides, the worker
// only keeps the numbers sane.
bool readLimit(const json &object, const char *key, std::uint64_t min, std::uint64_t max, std::uint64_t *out,
               std::string *error)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return true;
    if (it->is_number_unsigned())
        *out = std::clamp(it->get<std::uint64_t>(), min, max);
    else if (it->is_number_integer())
        *out = min; // negative
    else {
        *error = std::string("'") + key + "' must be an integer";
        return false;
    }
    return true;
}

bool isSafeRelativePath(const std::string &path)
{
    if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos)
        return false;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t end = std::min(path.find('/', start), path.size());
        if (path.compare(start, end - start, "..") == 0)
            return false;
        start = end + 1;
    }
    return true;
}

} // namespace

LuaWorkerResponse LuaWorkerResponse::pluginError(std::int64_t id, std::string message)
{
    LuaWorkerResponse response;
    response.id = id;
    response.error = "plugin_error";
    response.truncated = truncateUtf8(&message, MaxLuaMessageBytes);
    response.message = std::move(message);
    return response;
}

LuaRequestParse parseLuaWorkerRequest(const std::string &payload, LuaWorkerRequest *request,
                                      std::string *error)
{
    const json document = json::parse(payload, nullptr, false);
    if (document.is_discarded() || !document.is_object()) {
        *error = "the frame is not a JSON object";
        return LuaRequestParse::Malformed;
    }
    const auto id = document.find("id");
    if (id == document.end() || !id->is_number_integer()) {
        *error = "'id' must be an integer";
        return LuaRequestParse::BadRequest;
    }
    request->id = id->get<std::int64_t>();

    std::uint64_t memory = request->memoryLimitBytes;
    if (!readString(document, "plugin_id", true, &request->pluginId, error) ||
        !readString(document, "directory", true, &request->directory, error) ||
        !readString(document, "state_dir", false, &request->stateDirectory, error) ||
        !readString(document, "entry", true, &request->entry, error) ||
        !readString(document, "version", false, &request->version, error) ||
        !readLimit(document, "budget_instructions", MinLuaBudgetInstructions, MaxLuaBudgetInstructions,
                   &request->budgetInstructions, error) ||
        !readLimit(document, "memory_limit_bytes", MinLuaMemoryLimitBytes, MaxLuaMemoryLimitBytes, &memory,
                   error))
        return LuaRequestParse::BadRequest;
    request->memoryLimitBytes = static_cast<std::size_t>(memory);

    if (request->directory.empty() || request->directory.front() != '/' ||
        request->directory.find('\0') != std::string::npos) {
        *error = "'directory' must be an absolute path";
        return LuaRequestParse::BadRequest;
    }
    if (!request->stateDirectory.empty() &&
        (request->stateDirectory.front() != '/' || request->stateDirectory.find('\0') != std::string::npos)) {
        *error = "'state_dir' must be an absolute path";
        return LuaRequestParse::BadRequest;
    }
    if (!isSafeRelativePath(request->entry)) {
        *error = "'entry' must be a path inside the package folder";
        return LuaRequestParse::BadRequest;
    }
    if (const auto arguments = document.find("arguments");
        arguments != document.end() && !arguments->is_null()) {
        if (!arguments->is_object()) {
            *error = "'arguments' must be an object";
            return LuaRequestParse::BadRequest;
        }
        request->arguments = *arguments;
    }
    return LuaRequestParse::Ok;
}

std::string serializeLuaWorkerResponse(const LuaWorkerResponse &response)
{
    json metrics = json::array();
    for (const LuaWorkerMetric &metric : response.metrics)
        metrics.push_back({{"name", metric.name}, {"value", metric.value}, {"unit", metric.unit}});
    json document = {
        {"id", response.id},
        {"value", response.value && std::isfinite(*response.value) ? json(*response.value) : json(nullptr)},
        {"message", response.message},
        {"status", response.status.empty() ? json(nullptr) : json(response.status)},
        {"metrics", std::move(metrics)},
        {"truncated", response.truncated},
    };
    if (!response.error.empty())
        document["error"] = response.error;
    return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace prophasis
