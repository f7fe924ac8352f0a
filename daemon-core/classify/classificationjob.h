#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

#include "shared/domain/checkresult.h"
#include "shared/domain/entity.h"

// What the engine hands to classification and what it gets back (SPEC §5, docs/PLUGIN_GUIDE.md
// "Classifier contract"). The engine gathers the inputs; the classify library runs them in the
// supervised worker.
namespace prophasis {

struct ClassificationJob
{
    // Names the classifier in log entries, e.g. "check Web servers, plugin org.prophasis.disk".
    QString classifierName;
    // The Lua text. Jobs with the same text share one compiled classifier (one Lua state).
    QString source;
    // The last n results of the series, oldest first; the last one is being classified. Never empty.
    QList<CheckResult> results;
    // The plugin's arguments for this check, defaults filled in (the classifier's `args`).
    QJsonObject arguments;
    // The host's variables, its own over its groups' (the classifier's `vars`).
    Variables variables;
    // The latest result of each other plugin on the same host, by reverse-DNS plugin id (the
    // classifier's `others`). Filled only for classifiers whose text names `others`.
    QHash<QString, CheckResult> others;
    // The name of the check each of `others` came from, by the same plugin id, where known (the
    // result's `check` field); ids missing here get no `check`.
    QHash<QString, QString> otherChecks;
};

struct ClassificationOutcome
{
    // ok, minor, major, critical or unknown.
    State state = State::Unknown;
    // Why the state is unknown when the classifier failed (an error, a limit hit, a bad return
    // value, the worker killed past its wall-clock limit); empty when it returned a classification.
    QString error;

    bool failed() const { return !error.isEmpty(); }
};

} // namespace prophasis
