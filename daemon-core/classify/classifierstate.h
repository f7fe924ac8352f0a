#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "daemon-core/classify/classifierprotocol.h"
#include "shared/luasandbox/luasandbox.h"

struct lua_State;

// One classifier in prophasis-core-classifier: its own Lua state (so no globals, libraries or
// metatables are shared with another classifier), compiled once, then run per job in a fresh
// environment under an instruction budget and a memory cap. Plain C++, no Qt.
namespace prophasis {

struct ClassifierLimits
{
    std::uint64_t budgetInstructions = DefaultClassifierBudgetInstructions; // per job
    std::size_t memoryLimitBytes = DefaultClassifierMemoryLimitBytes;       // the whole state
};

class ClassifierState
{
public:
    ClassifierState(const std::string &source, const ClassifierLimits &limits);
    ~ClassifierState();
    ClassifierState(const ClassifierState &) = delete;
    ClassifierState &operator=(const ClassifierState &) = delete;

    // Classifies one job of the protocol (classifierprotocol.h) into *answer (its id is left
    // alone). Never throws for anything the classifier or the job does: every failure is an
    // "unknown" with an error.
    void classify(const nlohmann::json &job, ClassifierAnswer *answer);

    std::size_t memoryInUse() const { return m_limits.usedBytes; }

private:
    void setUp(const std::string &source);
    static int protectedSetUp(lua_State *L);
    static int protectedJob(lua_State *L);
    void buildSandbox(lua_State *L);
    void runJob(lua_State *L);
    void finishJob(int status, ClassifierAnswer *answer);

    LuaLimits m_limits; // before m_state: the allocator uses it from the first allocation
    ClassifierLimits m_settings;
    lua_State *m_state = nullptr;
    // Registry references, set up once.
    int m_chunkRef = 0;
    int m_jobRef = 0;
    int m_envMetaRef = 0;
    int m_currentRef = 0;     // {results = …}: what trend() and failureRule() default to
    std::string m_setupError; // the classifier cannot run at all (e.g. it does not compile)

    // The job in progress, kept here rather than on the stack: Lua errors longjmp.
    const nlohmann::json::array_t *m_results = nullptr;
    const nlohmann::json *m_args = nullptr;
    const nlohmann::json *m_vars = nullptr;
    const nlohmann::json::object_t *m_others = nullptr;
    const std::string *m_source = nullptr;
};

} // namespace prophasis
