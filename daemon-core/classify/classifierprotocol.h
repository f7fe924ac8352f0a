#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

// The protocol of prophasis-core-classifier, shared by the worker and the core's client. Plain
// C++ (no Qt).
//
// Frames (shared/luasandbox/framecodec.h) both ways: each request frame is one batch, answered
// by one frame.
//   batch   {"batch": n,
//            "classifiers": [{"key": s, "source": s}],  sources the worker has not been sent yet
//            "jobs": [{"id": n, "key": s, "results": [RESULT…], "args": {…}, "vars": {name: s},
//                      "others": {plugin id: RESULT}}]}
//   RESULT  [time (seconds since the epoch), type, value (number or null), message,
//            status (string or null), {metric name: number}, check name (others only; optional)]
//   answer  {"batch": n, "worker_ns": n (time spent on the batch inside the worker),
//            "answers": [{"id": n, "state": s, "error": s (only when it failed)}
//                       | {"id": n, "missing": true}]}   the key's source is not (or no longer) held:
//                                                         send it again with the job
// Answers come in the order of the jobs. Every failure of a classifier (compile error, runtime
// error, budget, memory, bad return) is an answer with state "unknown" and an error; the worker
// exits with 2 on a malformed frame and with 0 at the end of its input.
//
// Command line: prophasis-core-classifier [--budget-instructions N] [--memory-limit-bytes N]
//               [--max-states N] [--max-sources N]
namespace prophasis {

inline constexpr std::uint64_t DefaultClassifierBudgetInstructions = 1'000'000;
inline constexpr std::uint64_t MinClassifierBudgetInstructions = 1'000;
inline constexpr std::uint64_t MaxClassifierBudgetInstructions = 10'000'000'000;
inline constexpr std::size_t DefaultClassifierMemoryLimitBytes = 8 * 1024 * 1024;
inline constexpr std::size_t MinClassifierMemoryLimitBytes = 256 * 1024;
inline constexpr std::size_t MaxClassifierMemoryLimitBytes = std::size_t(1) << 30;
// Compiled classifiers (one Lua state each) the worker keeps; the least recently used goes.
inline constexpr std::size_t DefaultMaxClassifierStates = 256;
// Sources the worker keeps (cheap: text), so an evicted state can be rebuilt without a resend.
inline constexpr std::size_t MaxClassifierSources = 4096;
inline constexpr std::size_t MaxClassifierSourceBytes = 1024 * 1024;
// Error texts are cut to this many bytes.
inline constexpr std::size_t MaxClassifierErrorBytes = 1024;
// Depth of nested tables in args.
inline constexpr int MaxClassifierArgumentDepth = 32;

// Positions in a RESULT array.
namespace ResultField {
inline constexpr std::size_t Time = 0;
inline constexpr std::size_t Type = 1;
inline constexpr std::size_t Value = 2;
inline constexpr std::size_t Message = 3;
inline constexpr std::size_t Status = 4;
inline constexpr std::size_t Metrics = 5;
inline constexpr std::size_t Check = 6;
} // namespace ResultField

struct ClassifierAnswer
{
    std::int64_t id = 0;
    std::string state; // ok, minor, major, critical or unknown
    std::string error; // empty: the classifier returned `state` itself
    bool missingSource = false;
};

struct ClassifierAnswers
{
    std::int64_t batch = 0;
    std::uint64_t workerNs = 0;
    std::vector<ClassifierAnswer> answers;
};

// The JSON text of a batch's answer; invalid UTF-8 in errors is replaced, never fatal.
std::string serializeClassifierAnswers(const ClassifierAnswers &answers);
// False (and *error says why) when the text is not a well-formed answer.
bool parseClassifierAnswers(const std::string &payload, ClassifierAnswers *answers, std::string *error);

} // namespace prophasis
