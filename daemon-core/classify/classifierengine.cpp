#include "daemon-core/classify/classifierengine.h"

#include <chrono>

namespace prophasis {

using nlohmann::json;

template <typename Value>
Value *ClassifierEngine::Lru<Value>::find(const std::string &key)
{
    const auto it = entries.find(key);
    if (it == entries.end())
        return nullptr;
    order.splice(order.begin(), order, it->second.position);
    return &it->second.value;
}

template <typename Value>
Value &ClassifierEngine::Lru<Value>::insert(const std::string &key, Value value, std::size_t bound)
{
    if (Value *existing = find(key)) {
        *existing = std::move(value);
        return *existing;
    }
    while (!order.empty() && entries.size() >= bound) {
        entries.erase(order.back());
        order.pop_back();
    }
    order.push_front(key);
    return entries.emplace(key, Entry{std::move(value), order.begin()}).first->second.value;
}

ClassifierEngine::ClassifierEngine(ClassifierEngineOptions options)
    : m_options(options)
{
    if (m_options.maxStates == 0)
        m_options.maxStates = 1;
    if (m_options.maxSources < m_options.maxStates)
        m_options.maxSources = m_options.maxStates;
}

void ClassifierEngine::addSource(const std::string &key, std::string source)
{
    if (m_sources.find(key))
        return; // the key is the source's hash: the same text, and its state stays valid
    m_sources.insert(key, std::move(source), m_options.maxSources);
}

ClassifierState *ClassifierEngine::stateFor(const std::string &key)
{
    // Batches often hold runs of one classifier: no hashing for those. (Its LRU position is
    // still the newest: no other state was used since.)
    if (m_lastState && key == m_lastKey)
        return m_lastState;
    m_lastState = nullptr;
    if (auto *state = m_states.find(key)) {
        m_lastState = state->get();
    } else {
        const std::string *source = m_sources.find(key);
        if (!source)
            return nullptr;
        m_lastState = m_states
                          .insert(key, std::make_unique<ClassifierState>(*source, m_options.limits),
                                  m_options.maxStates)
                          .get();
    }
    m_lastKey = key;
    return m_lastState;
}

void ClassifierEngine::classify(const json &job, ClassifierAnswer *answer)
{
    answer->error.clear();
    answer->missingSource = false;
    const auto key = job.find("key");
    if (key == job.end() || !key->is_string()) {
        answer->state = "unknown";
        answer->error = "the classification job is malformed: 'key' must be a string";
        return;
    }
    ClassifierState *state = stateFor(key->get_ref<const std::string &>());
    if (!state) {
        answer->missingSource = true;
        return;
    }
    state->classify(job, answer);
}

bool ClassifierEngine::handleBatch(const std::string &payload, std::string *answer)
{
    const auto started = std::chrono::steady_clock::now();
    const json batch = json::parse(payload, nullptr, false);
    if (batch.is_discarded() || !batch.is_object())
        return false;
    ClassifierAnswers answers;
    if (const auto id = batch.find("batch"); id != batch.end() && id->is_number_integer())
        answers.batch = id->get<std::int64_t>();
    if (const auto sources = batch.find("classifiers"); sources != batch.end() && sources->is_array()) {
        for (const json &item : *sources) {
            const auto key = item.is_object() ? item.find("key") : item.end();
            const auto source = item.is_object() ? item.find("source") : item.end();
            // (The client keeps sources within MaxClassifierSourceBytes; the frame cap bounds the rest.)
            if (key != item.end() && key->is_string() && source != item.end() && source->is_string())
                addSource(key->get<std::string>(), source->get<std::string>());
        }
    }
    if (const auto jobs = batch.find("jobs"); jobs != batch.end() && jobs->is_array()) {
        answers.answers.resize(jobs->size());
        for (std::size_t i = 0; i < jobs->size(); ++i) {
            const json &job = (*jobs)[i];
            ClassifierAnswer &out = answers.answers[i];
            const auto id = job.is_object() ? job.find("id") : job.end();
            if (id == job.end() || !id->is_number_integer()) {
                out.id = -1;
                out.state = "unknown";
                out.error = "the classification job is malformed: 'id' must be an integer";
                continue;
            }
            out.id = id->get<std::int64_t>();
            classify(job, &out);
        }
    }
    answers.workerNs = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started)
            .count());
    *answer = serializeClassifierAnswers(answers);
    return true;
}

} // namespace prophasis
