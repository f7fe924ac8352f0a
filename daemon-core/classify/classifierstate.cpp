#include "daemon-core/classify/classifierstate.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <iterator>
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
// Each job builds and drops a few dozen small tables; keeping up to this much freed memory per
// classifier makes most of them cost no malloc.
constexpr std::size_t ClassifierBlockCacheBytes = 128 * 1024;

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

// The field names of a result table.
constexpr const char *ResultKeys[] = {"time", "type", "value", "message", "status", "metrics", "check"};

// Pushes the result tables of one job: RESULT (classifierprotocol.h) → {time, type, value,
// message, status, metrics[, check]}. The client always sends well-formed results; anything
// else is left out rather than refused, so nothing is checked twice.
//
// Interning strings is most of the cost of building a job's inputs, and consecutive results
// mostly repeat their type, message and metric names: those are reused from the previous
// result's Lua strings, kept in stack slots, when the text is the same. The field names are
// interned once per classifier. (Trivially destructible: it lives on the stack across Lua calls.)
struct ResultPusher
{
    static constexpr int RepeatedNames = 16;
    lua_State *L = nullptr;
    int slots = 0; // type, message, then RepeatedNames metric names
    const std::string *type = nullptr;
    const std::string *message = nullptr;
    const std::string *names[RepeatedNames] = {};

    // Runs inside the job closure, whose upvalues are ResultKeys (ClassifierState::buildSandbox).
    explicit ResultPusher(lua_State *state)
        : L(state)
    {
        luaL_checkstack(L, 8 + 2 + RepeatedNames, "building the inputs");
        slots = lua_gettop(L) + 1;
        lua_settop(L, slots + 2 + RepeatedNames - 1); // nils
    }

    // table[key] = what push() pushes; push must not leave anything else on the stack.
    template <typename Push>
    void set(std::size_t field, Push push)
    {
        lua_pushvalue(L, lua_upvalueindex(int(field) + 1));
        push();
        lua_rawset(L, -3);
    }

    void pushString(const std::string &text, const std::string **previous, int slot)
    {
        if (*previous && **previous == text) {
            lua_pushvalue(L, slot);
            return;
        }
        lua_pushlstring(L, text.data(), text.size());
        lua_copy(L, -1, slot);
        *previous = &text;
    }

    void push(const json &item, bool withCheck)
    {
        const json::array_t *fields = item.get_ptr<const json::array_t *>();
        const std::size_t count = fields ? fields->size() : 0;
        auto at = [&](std::size_t field) { return field < count ? &(*fields)[field] : nullptr; };
        auto text = [&](std::size_t field) {
            const json *value = at(field);
            return value ? value->get_ptr<const json::string_t *>() : nullptr;
        };
        lua_createtable(L, 0, 6);
        if (const json *time = at(ResultField::Time); time && time->is_number())
            set(ResultField::Time, [&] { lua_pushnumber(L, time->get<double>()); });
        if (const std::string *kind = text(ResultField::Type))
            set(ResultField::Type, [&] { pushString(*kind, &type, slots); });
        if (const json *value = at(ResultField::Value); value && value->is_number())
            set(ResultField::Value, [&] { lua_pushnumber(L, value->get<double>()); });
        set(ResultField::Message, [&] {
            if (const std::string *words = text(ResultField::Message))
                pushString(*words, &message, slots + 1);
            else
                lua_pushliteral(L, "");
        });
        if (const std::string *status = text(ResultField::Status))
            set(ResultField::Status, [&] { lua_pushlstring(L, status->data(), status->size()); });
        set(ResultField::Metrics, [&] {
            const json *field = at(ResultField::Metrics);
            const json::object_t *metrics = field ? field->get_ptr<const json::object_t *>() : nullptr;
            lua_createtable(L, 0, metrics ? static_cast<int>(metrics->size()) : 0);
            if (!metrics)
                return;
            int k = 0;
            for (auto it = metrics->cbegin(); it != metrics->cend(); ++it) {
                if (!it->second.is_number())
                    continue;
                if (k < RepeatedNames)
                    pushString(it->first, &names[k], slots + 2 + k);
                else
                    lua_pushlstring(L, it->first.data(), it->first.size());
                ++k;
                lua_pushnumber(L, it->second.get<double>());
                lua_rawset(L, -3);
            }
        });
        if (const std::string *check = withCheck ? text(ResultField::Check) : nullptr)
            set(ResultField::Check, [&] { lua_pushlstring(L, check->data(), check->size()); });
    }
};

// JSON → Lua: objects and arrays become tables, null is left out, and so is anything nested
// deeper than MaxClassifierArgumentDepth.
void pushJson(lua_State *L, const json &value, int depth = 0)
{
    if (depth > MaxClassifierArgumentDepth) {
        lua_pushnil(L);
        return;
    }
    switch (value.type()) {
    case json::value_t::object: {
        const json::object_t &object = *value.get_ptr<const json::object_t *>();
        lua_createtable(L, 0, static_cast<int>(object.size()));
        for (auto it = object.cbegin(); it != object.cend(); ++it) {
            if (it->second.is_null() || (depth == MaxClassifierArgumentDepth && it->second.is_structured()))
                continue;
            lua_pushlstring(L, it->first.data(), it->first.size());
            pushJson(L, it->second, depth + 1);
            lua_rawset(L, -3);
        }
        return;
    }
    case json::value_t::array: {
        const json::array_t &array = *value.get_ptr<const json::array_t *>();
        lua_createtable(L, static_cast<int>(array.size()), 0);
        for (std::size_t i = 0; i < array.size(); ++i) {
            if (array[i].is_null() || (depth == MaxClassifierArgumentDepth && array[i].is_structured()))
                continue;
            pushJson(L, array[i], depth + 1);
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

ClassifierState::ClassifierState(const std::string &source, const ClassifierLimits &limits)
    : m_settings(limits)
{
    m_limits.limitBytes = m_settings.memoryLimitBytes;
    m_limits.blockCacheBytes = ClassifierBlockCacheBytes;
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
        closeLimitedLuaState(m_state, &m_limits);
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
    // Jobs leave short-lived garbage (their inputs): collecting once the heap is three times
    // what survives keeps collections rare (measured: less work per job than the generational
    // collector, whose minor collections promote the inputs of the job in progress).
    lua_gc(L, LUA_GCINC, 300, 100, 16); // a step every 64 KiB allocated: fewer, cheaper steps
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

    // The job function, with the field names of result tables as its upvalues (ResultPusher).
    for (const char *key : ResultKeys)
        lua_pushstring(L, key);
    lua_pushcclosure(L, protectedJob, int(std::size(ResultKeys)));
    m_jobRef = luaL_ref(L, LUA_REGISTRYINDEX);

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
    // The fields are picked in one pass; the rest of the shape is taken as it comes (ResultPusher).
    m_results = nullptr;
    m_args = m_vars = nullptr;
    m_others = nullptr;
    if (const json::object_t *object = job.get_ptr<const json::object_t *>()) {
        for (auto it = object->cbegin(); it != object->cend(); ++it) {
            const std::string &name = it->first;
            if (name == "results")
                m_results = it->second.get_ptr<const json::array_t *>();
            else if (name == "args")
                m_args = it->second.is_object() ? &it->second : nullptr;
            else if (name == "vars")
                m_vars = it->second.is_object() ? &it->second : nullptr;
            else if (name == "others")
                m_others = it->second.get_ptr<const json::object_t *>();
        }
    }
    if (!m_results || m_results->empty()) {
        answer->state = "unknown";
        answer->error = "the classification job is malformed: 'results' must be a non-empty array";
        return;
    }
    lua_State *L = m_state;
    lua_settop(L, 0);
    startLuaLimits(L, &m_limits, m_settings.budgetInstructions, m_settings.memoryLimitBytes);
    lua_rawgeti(L, LUA_REGISTRYINDEX, m_jobRef);
    const int status = lua_pcall(L, 0, 1, 0);
    stopLuaLimits(L, &m_limits, m_settings.memoryLimitBytes);
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
    lua_createtable(L, 0, 8);
    const int environment = lua_gettop(L);
    ResultPusher pusher(L);

    const json::array_t &results = *m_results;
    lua_createtable(L, static_cast<int>(results.size()), 0);
    for (std::size_t i = 0; i < results.size(); ++i) {
        pusher.push(results[i], false);
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    lua_rawgeti(L, LUA_REGISTRYINDEX, m_currentRef);
    lua_pushvalue(L, -2);
    lua_setfield(L, -2, "results");
    lua_pop(L, 1);
    lua_setfield(L, environment, "results");

    if (m_args)
        pushJson(L, *m_args);
    else
        lua_newtable(L);
    lua_setfield(L, environment, "args");

    if (m_vars)
        pushJson(L, *m_vars);
    else
        lua_newtable(L);
    lua_setfield(L, environment, "vars");

    lua_createtable(L, 0, m_others ? static_cast<int>(m_others->size()) : 0);
    if (m_others) {
        for (auto it = m_others->cbegin(); it != m_others->cend(); ++it) {
            lua_pushlstring(L, it->first.data(), it->first.size());
            pusher.push(it->second, true);
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
