#include "daemon-core/classify/classifierstate.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <lua.hpp>

#include "classifierhelpers_lua.h" // generated from classifierhelpers.lua at build time
#include "shared/luasandbox/utf8text.h"

// Lua reports errors with longjmp, which skips C++ destructors. Every function below that calls
// the Lua API while an error can be raised keeps only trivially destructible locals (pointers,
// numbers, nlohmann's map and vector iterators); strings live in members or are built after the
// protected call has returned.
namespace prophasis {

namespace {

using nlohmann::json;

constexpr const char *ClassifierChunkName = "=classifier";

// trend() and failureRule() as classifiers see them: the helpers with the job's results as the
// default array.
constexpr const char *DefaultingWrappers = R"lua(
local helpers, current = ...
local trend, failureRule = helpers.trend, helpers.failureRule
return function(t, sel)
    return trend(t or current.results, sel)
end, function(t)
    return failureRule(t or current.results)
end
)lua";

constexpr const char *Classifications[] = {"ok", "minor", "major", "critical", "unknown"};

ClassifierState *stateOf(lua_State *L)
{
    return *static_cast<ClassifierState **>(lua_getextraspace(L));
}

void loadText(lua_State *L, const char *text, std::size_t length, const char *name)
{
    if (luaL_loadbufferx(L, text, length, name, "t") != LUA_OK)
        lua_error(L);
}

// RESULT (classifierprotocol.h) → {time, type, value, message, status, metrics[, check]}.
void pushResult(lua_State *L, const json &item, bool withCheck)
{
    const json::array_t &fields = *item.get_ptr<const json::array_t *>();
    lua_createtable(L, 0, 7);
    lua_pushnumber(L, fields[ResultField::Time].get<double>());
    lua_setfield(L, -2, "time");
    const std::string &type = *fields[ResultField::Type].get_ptr<const json::string_t *>();
    lua_pushlstring(L, type.data(), type.size());
    lua_setfield(L, -2, "type");
    if (fields[ResultField::Value].is_number()) {
        lua_pushnumber(L, fields[ResultField::Value].get<double>());
        lua_setfield(L, -2, "value");
    }
    const std::string &message = *fields[ResultField::Message].get_ptr<const json::string_t *>();
    lua_pushlstring(L, message.data(), message.size());
    lua_setfield(L, -2, "message");
    if (const std::string *status = fields[ResultField::Status].get_ptr<const json::string_t *>()) {
        lua_pushlstring(L, status->data(), status->size());
        lua_setfield(L, -2, "status");
    }
    const json::object_t &metrics = *fields[ResultField::Metrics].get_ptr<const json::object_t *>();
    lua_createtable(L, 0, static_cast<int>(metrics.size()));
    for (auto it = metrics.cbegin(); it != metrics.cend(); ++it) {
        if (!it->second.is_number())
            continue;
        lua_pushlstring(L, it->first.data(), it->first.size());
        lua_pushnumber(L, it->second.get<double>());
        lua_rawset(L, -3);
    }
    lua_setfield(L, -2, "metrics");
    if (withCheck && fields.size() > ResultField::Check) {
        if (const std::string *check = fields[ResultField::Check].get_ptr<const json::string_t *>()) {
            lua_pushlstring(L, check->data(), check->size());
            lua_setfield(L, -2, "check");
        }
    }
}

// JSON → Lua: objects and arrays become tables, null is left out.
void pushJson(lua_State *L, const json &value)
{
    switch (value.type()) {
    case json::value_t::object: {
        const json::object_t &object = *value.get_ptr<const json::object_t *>();
        lua_createtable(L, 0, static_cast<int>(object.size()));
        for (auto it = object.cbegin(); it != object.cend(); ++it) {
            if (it->second.is_null())
                continue;
            lua_pushlstring(L, it->first.data(), it->first.size());
            pushJson(L, it->second);
            lua_rawset(L, -3);
        }
        return;
    }
    case json::value_t::array: {
        const json::array_t &array = *value.get_ptr<const json::array_t *>();
        lua_createtable(L, static_cast<int>(array.size()), 0);
        for (std::size_t i = 0; i < array.size(); ++i) {
            if (array[i].is_null())
                continue;
            pushJson(L, array[i]);
            lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
        }
        return;
    }
    case json::value_t::string: {
        const std::string &text = *value.get_ptr<const json::string_t *>();
        lua_pushlstring(L, text.data(), text.size());
        return;
    }
    case json::value_t::boolean:
        lua_pushboolean(L, value.get<bool>());
        return;
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
        lua_pushinteger(L, value.get<lua_Integer>());
        return;
    case json::value_t::number_float:
        lua_pushnumber(L, value.get<double>());
        return;
    default:
        lua_pushnil(L);
        return;
    }
}

const json *field(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it == object.end() || it->is_null() ? nullptr : &*it;
}

std::string checkResult(const json &item, const char *what)
{
    const json::array_t *fields = item.get_ptr<const json::array_t *>();
    if (!fields || fields->size() < ResultField::Check)
        return std::string(what) + " must be an array of at least 6 fields";
    const json::array_t &f = *fields;
    if (!f[ResultField::Time].is_number() || !f[ResultField::Type].is_string() ||
        !(f[ResultField::Value].is_number() || f[ResultField::Value].is_null()) ||
        !f[ResultField::Message].is_string() ||
        !(f[ResultField::Status].is_string() || f[ResultField::Status].is_null()) ||
        !f[ResultField::Metrics].is_object())
        return std::string(what) + " has a field of the wrong type";
    if (f.size() > ResultField::Check &&
        !(f[ResultField::Check].is_string() || f[ResultField::Check].is_null()))
        return std::string(what) + " has a check name that is not a string";
    return {};
}

bool withinDepth(const json &value, int depth)
{
    if (depth > MaxClassifierArgumentDepth)
        return false;
    if (value.is_object() || value.is_array()) {
        for (const json &child : value)
            if (!withinDepth(child, depth + 1))
                return false;
    }
    return true;
}

std::string describeReturn(lua_State *L, int index)
{
    switch (lua_type(L, index)) {
    case LUA_TNONE:
    case LUA_TNIL:
        return "nothing (nil)";
    case LUA_TSTRING: {
        std::size_t length = 0;
        const char *text = lua_tolstring(L, index, &length);
        std::string quoted = "'" + std::string(text, std::min<std::size_t>(length, 64)) + "'";
        return length > 64 ? quoted + "…" : quoted;
    }
    case LUA_TNUMBER: {
        char number[64];
        if (lua_isinteger(L, index))
            std::snprintf(number, sizeof number, "%lld", static_cast<long long>(lua_tointeger(L, index)));
        else
            std::snprintf(number, sizeof number, "%.14g", lua_tonumber(L, index));
        return std::string("the number ") + number;
    }
    case LUA_TBOOLEAN:
        return lua_toboolean(L, index) ? "true" : "false";
    default:
        return std::string("a ") + luaL_typename(L, index);
    }
}

} // namespace

std::string validateClassifierJob(const json &job)
{
    const json *results = field(job, "results");
    if (!results || !results->is_array() || results->empty())
        return "'results' must be a non-empty array";
    for (const json &item : *results)
        if (std::string error = checkResult(item, "each result"); !error.empty())
            return error;
    if (const json *args = field(job, "args"); args && (!args->is_object() || !withinDepth(*args, 0)))
        return "'args' must be an object nested at most 32 deep";
    if (const json *vars = field(job, "vars")) {
        if (!vars->is_object())
            return "'vars' must be an object";
        for (const json &value : *vars)
            if (!value.is_string())
                return "every variable must be a string";
    }
    if (const json *others = field(job, "others")) {
        if (!others->is_object())
            return "'others' must be an object";
        for (const json &item : *others)
            if (std::string error = checkResult(item, "each of 'others'"); !error.empty())
                return error;
    }
    return {};
}

ClassifierState::ClassifierState(const std::string &source, const ClassifierLimits &limits)
    : m_settings(limits)
{
    m_limits.limitBytes = m_settings.memoryLimitBytes;
    m_state = newLimitedLuaState(&m_limits);
    if (!m_state) {
        m_setupError = "cannot create a Lua state within the memory limit";
        return;
    }
    *static_cast<ClassifierState **>(lua_getextraspace(m_state)) = this;
    setUp(source);
}

ClassifierState::~ClassifierState()
{
    if (m_state)
        lua_close(m_state);
}

void ClassifierState::setUp(const std::string &source)
{
    lua_State *L = m_state;
    m_source = &source;
    lua_pushcfunction(L, protectedSetUp);
    const int status = lua_pcall(L, 0, 0, 0);
    m_source = nullptr;
    if (status != LUA_OK) {
        std::string error = luaErrorText(L);
        if (m_limits.memoryRefused || status == LUA_ERRMEM)
            m_setupError = "the classifier went over its memory limit of " +
                           std::to_string(m_settings.memoryLimitBytes) + " bytes while being compiled";
        else if (m_chunkRef == 0 && m_envMetaRef != 0)
            m_setupError = "the classifier does not compile: " + error;
        else
            m_setupError = "cannot set up the classifier sandbox: " + error;
        truncateUtf8(&m_setupError, MaxClassifierErrorBytes);
    }
    lua_settop(L, 0);
    // Jobs leave short-lived garbage (their inputs); the generational collector takes it cheaply.
    lua_gc(L, LUA_GCGEN, 0, 0);
}

int ClassifierState::protectedSetUp(lua_State *L)
{
    stateOf(L)->buildSandbox(L);
    return 0;
}

// The sandbox every job's environment reads through: safe libraries (read-only, as they are
// shared by this classifier's jobs), the helpers, then the compiled classifier.
void ClassifierState::buildSandbox(lua_State *L)
{
    pushSafeLibraries(L);
    const int sandbox = lua_gettop(L);
    makeLibrariesReadOnly(L, sandbox);

    // The helpers, loaded with the sandbox as their environment.
    loadText(L, ClassifierHelpersLua, std::strlen(ClassifierHelpersLua), "=classifierhelpers");
    lua_pushvalue(L, sandbox);
    lua_setupvalue(L, -2, 1);
    lua_call(L, 0, 1);
    const int helpers = lua_gettop(L);
    for (const char *name : {"arrayMax", "arrayMin", "arraySum", "arrayAvg", "arrayContains", "arrayCount"}) {
        if (lua_getfield(L, helpers, name) != LUA_TFUNCTION)
            luaL_error(L, "the helpers lack %s", name);
        lua_setfield(L, sandbox, name);
    }
    lua_newtable(L);
    const int current = lua_gettop(L);
    loadText(L, DefaultingWrappers, std::strlen(DefaultingWrappers), "=classifierhelpers");
    lua_pushvalue(L, helpers);
    lua_pushvalue(L, current);
    lua_call(L, 2, 2);
    lua_setfield(L, sandbox, "failureRule");
    lua_setfield(L, sandbox, "trend");
    m_currentRef = luaL_ref(L, LUA_REGISTRYINDEX); // pops current
    lua_pop(L, 1);                                 // helpers

    // Globals the job does not set are read from the sandbox; neither can be reached or changed.
    lua_createtable(L, 0, 2);
    lua_pushvalue(L, sandbox);
    lua_setfield(L, -2, "__index");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    m_envMetaRef = luaL_ref(L, LUA_REGISTRYINDEX);

    // Text only: bytecode can break out of any sandbox.
    loadText(L, m_source->data(), m_source->size(), ClassifierChunkName);
    m_chunkRef = luaL_ref(L, LUA_REGISTRYINDEX);
}

void ClassifierState::classify(const json &job, ClassifierAnswer *answer)
{
    answer->missingSource = false;
    if (!m_setupError.empty()) {
        answer->state = "unknown";
        answer->error = m_setupError;
        return;
    }
    if (std::string error = validateClassifierJob(job); !error.empty()) {
        answer->state = "unknown";
        answer->error = "the classification job is malformed: " + error;
        return;
    }
    lua_State *L = m_state;
    m_job = &job;
    lua_settop(L, 0);
    startLuaLimits(L, &m_limits, m_settings.budgetInstructions, m_settings.memoryLimitBytes);
    lua_pushcfunction(L, protectedJob);
    const int status = lua_pcall(L, 0, 1, 0);
    stopLuaLimits(L, &m_limits, m_settings.memoryLimitBytes);
    m_job = nullptr;
    finishJob(status, answer);
    lua_settop(L, 0);
}

int ClassifierState::protectedJob(lua_State *L)
{
    stateOf(L)->runJob(L);
    return 1;
}

void ClassifierState::runJob(lua_State *L)
{
    const json &job = *m_job;
    lua_createtable(L, 0, 8);
    const int environment = lua_gettop(L);

    const json::array_t &results = *job.find("results")->get_ptr<const json::array_t *>();
    lua_createtable(L, static_cast<int>(results.size()), 0);
    for (std::size_t i = 0; i < results.size(); ++i) {
        pushResult(L, results[i], false);
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, m_currentRef);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "results");
    lua_pop(L, 1);
    lua_setfield(L, environment, "results");

    const json *args = field(job, "args");
    if (args)
        pushJson(L, *args);
    else
        lua_newtable(L);
    lua_setfield(L, environment, "args");

    const json *vars = field(job, "vars");
    if (vars)
        pushJson(L, *vars);
    else
        lua_newtable(L);
    lua_setfield(L, environment, "vars");

    const json *others = field(job, "others");
    const json::object_t *otherResults = others ? others->get_ptr<const json::object_t *>() : nullptr;
    lua_createtable(L, 0, otherResults ? static_cast<int>(otherResults->size()) : 0);
    if (otherResults) {
        for (auto it = otherResults->cbegin(); it != otherResults->cend(); ++it) {
            lua_pushlstring(L, it->first.data(), it->first.size());
            pushResult(L, it->second, true);
            lua_rawset(L, -3);
        }
    }
    lua_setfield(L, environment, "others");

    lua_pushvalue(L, environment);
    lua_setfield(L, environment, "_G");
    lua_rawgeti(L, LUA_REGISTRYINDEX, m_envMetaRef);
    lua_setmetatable(L, environment);

    // A main chunk has exactly one upvalue, _ENV: pointing it at this job's table keeps the
    // compiled code and leaves the last job's globals behind.
    lua_rawgeti(L, LUA_REGISTRYINDEX, m_chunkRef);
    lua_pushvalue(L, environment);
    lua_setupvalue(L, -2, 1);
    lua_call(L, 0, 1);
}

void ClassifierState::finishJob(int status, ClassifierAnswer *answer)
{
    lua_State *L = m_state;
    answer->error.clear();
    answer->state = "unknown";
    switch (luaLimitHit(m_limits)) {
    case LuaLimitHit::Budget:
        answer->error = "the classifier used up its instruction budget of " +
                        std::to_string(m_settings.budgetInstructions) + " instructions (an endless loop?)";
        return;
    case LuaLimitHit::Memory:
        answer->error = "the classifier went over its memory limit of " +
                        std::to_string(m_settings.memoryLimitBytes) + " bytes";
        // What the job left must not count against the next one.
        lua_settop(L, 0);
        lua_gc(L, LUA_GCCOLLECT);
        return;
    case LuaLimitHit::None:
        break;
    }
    if (status != LUA_OK) {
        answer->error = (status == LUA_ERRMEM ? "out of memory: " : "runtime error: ") + luaErrorText(L);
        truncateUtf8(&answer->error, MaxClassifierErrorBytes);
        return;
    }
    if (lua_type(L, -1) == LUA_TSTRING) {
        std::size_t length = 0;
        const char *text = lua_tolstring(L, -1, &length);
        for (const char *name : Classifications) {
            if (length == std::strlen(name) && std::memcmp(text, name, length) == 0) {
                answer->state = name;
                return;
            }
        }
    }
    answer->error = "the classifier returned " + describeReturn(L, -1) +
                    "; it must return \"ok\", \"minor\", \"major\", \"critical\" or \"unknown\"";
    truncateUtf8(&answer->error, MaxClassifierErrorBytes);
}

} // namespace prophasis
