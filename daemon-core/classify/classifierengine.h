#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "daemon-core/classify/classifierprotocol.h"
#include "daemon-core/classify/classifierstate.h"

// What prophasis-core-classifier does with a batch (classifierprotocol.h): keeps the sources it
// was sent and one compiled Lua state per classifier, both bounded with the least recently used
// dropped, and answers every job. Plain C++, no Qt; the benchmark drives it directly.
namespace prophasis {

struct ClassifierEngineOptions
{
    ClassifierLimits limits;
    std::size_t maxStates = DefaultMaxClassifierStates;
    std::size_t maxSources = MaxClassifierSources;
};

class ClassifierEngine
{
public:
    explicit ClassifierEngine(ClassifierEngineOptions options = {});

    // Answers one batch frame's payload into *answer. False when the payload is not a JSON
    // object: the stream cannot be trusted any more.
    bool handleBatch(const std::string &payload, std::string *answer);

    // The parts handleBatch() is made of.
    void addSource(const std::string &key, std::string source);
    void classify(const nlohmann::json &job, ClassifierAnswer *answer);

    std::size_t stateCount() const { return m_states.size(); }
    std::size_t sourceCount() const { return m_sources.size(); }

private:
    template <typename Value>
    struct Lru
    {
        struct Entry
        {
            Value value;
            std::list<std::string>::iterator position;
        };
        std::unordered_map<std::string, Entry> entries;
        std::list<std::string> order; // most recently used first

        Value *find(const std::string &key);
        Value &insert(const std::string &key, Value value, std::size_t bound);
        std::size_t size() const { return entries.size(); }
    };

    ClassifierState *stateFor(const std::string &key);

    ClassifierEngineOptions m_options;
    Lru<std::string> m_sources;
    Lru<std::unique_ptr<ClassifierState>> m_states;
    // The state used last.
    std::string m_lastKey;
    ClassifierState *m_lastState = nullptr;
};

} // namespace prophasis
