#pragma once

#include <QDateTime>
#include <QTest>

#include <memory>
#include <optional>
#include <vector>

#include "daemon-core/classify/classifierworkerclient.h"

// Jobs and waits shared by the classification tests (the real worker program).
namespace prophasis::classifytest {

inline const QString WorkerProgram = QStringLiteral(PROPHASIS_CLASSIFIER_WORKER);
// How long a test waits for answers; jobs take microseconds, budget runs a fraction of a second.
inline constexpr int WaitMs = 60000;

inline CheckResult success(std::optional<double> value, int minute = 1, QList<Metric> metrics = {})
{
    CheckResult result;
    result.time = QDateTime::fromSecsSinceEpoch(1700000000 + 60 * minute, Qt::UTC);
    result.type = ResultType::Success;
    result.value = value;
    result.message = QStringLiteral("measured");
    result.metrics = std::move(metrics);
    return result;
}

inline CheckResult failure(ResultType type, int minute = 1)
{
    CheckResult result;
    result.time = QDateTime::fromSecsSinceEpoch(1700000000 + 60 * minute, Qt::UTC);
    result.type = type;
    result.message = QStringLiteral("the agent did not answer");
    return result;
}

inline ClassificationJob job(const QString &source,
                             QList<CheckResult> results = {success(50, 1), success(60, 2)})
{
    ClassificationJob job;
    job.classifierName = QStringLiteral("test classifier");
    job.source = source;
    job.results = std::move(results);
    return job;
}

// Submits jobs in one event-loop turn and waits for all answers (in the order they came).
inline std::vector<ClassificationOutcome> classifyAll(ClassifierWorkerClient &client,
                                                      const QList<ClassificationJob> &jobs,
                                                      std::vector<int> *order = nullptr)
{
    auto outcomes = std::make_shared<std::vector<std::optional<ClassificationOutcome>>>(jobs.size());
    auto arrival = std::make_shared<std::vector<int>>();
    for (qsizetype i = 0; i < jobs.size(); ++i) {
        client.classify(jobs[i], [outcomes, arrival, i](const ClassificationOutcome &outcome) {
            (*outcomes)[std::size_t(i)] = outcome;
            arrival->push_back(int(i));
        });
    }
    const bool all = QTest::qWaitFor([&] { return arrival->size() == std::size_t(jobs.size()); }, WaitMs);
    std::vector<ClassificationOutcome> result;
    for (const auto &outcome : *outcomes)
        result.push_back(outcome.value_or(
            ClassificationOutcome{State::NoData, all ? QString() : QStringLiteral("no answer in time")}));
    if (order)
        *order = *arrival;
    return result;
}

inline ClassificationOutcome classifyOne(ClassifierWorkerClient &client, const ClassificationJob &job)
{
    return classifyAll(client, {job}).front();
}

} // namespace prophasis::classifytest
