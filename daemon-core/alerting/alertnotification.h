#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUuid>

#include <optional>

#include "daemon-core/alerting/alertevent.h"
#include "shared/domain/alert.h"
#include "shared/domain/configuration.h"

namespace prophasis {

// One series that caused a change, with names resolved and, when the engine had it, its result.
struct AlertCause
{
    QUuid hostId;
    QString hostName;
    QString checkName;
    QString pluginName;
    bool hasResult = false; // the fields below are set only then
    State classification = State::Unknown;
    ResultType resultType = ResultType::Success;
    std::optional<double> value;
    QString message;
    QDateTime resultTime;
};

// What every module tells: built on the engine's loop from the configuration snapshot (names
// resolved there), then handed to a delivery thread as a plain value. Modules only format it.
struct AlertNotification
{
    enum class Subject
    {
        Host,
        Service,
        Test, // a test message from the console: nothing changed
    };

    QUuid alertId;
    QString alertName;
    Subject subject = Subject::Host;
    QUuid subjectId;
    QString subjectName;
    QString hostAddress; // hosts only
    State from = State::NoData;
    State to = State::NoData;
    QDateTime time; // of the change (UTC)
    QList<AlertCause> causes;

    bool isTest() const { return subject == Subject::Test; }
    // "host", "service" or "test": the wire name of the subject type.
    QString subjectType() const;
    // One line: "web1 is CRITICAL (was OK)", or "TEST: alert "On call" works".
    QString summary() const;
    // The plain-text message (several lines): what changed, when, why (the causes' results).
    QString textBody() const;
    // The one line of a cause: `check "HTTP", plugin "http" on web1: critical (timeout): no answer`.
    static QString causeLine(const AlertCause &cause);
    // The generic JSON document (USER_GUIDE "Alerts"): the webhook's generic template and the
    // command module's PROPHASIS_JSON.
    QJsonObject toJson() const;
};

// Resolves the names of the change's subject and causes in `config`, and picks the result of
// each cause from event.causeResults.
AlertNotification buildNotification(const Alert &alert, const AlertEvent &event, const Configuration &config);
// A clearly marked test message for `alert` (the console's Test button).
AlertNotification buildTestNotification(const Alert &alert, const QDateTime &now);

// How states are shown to people in alerts: "CRITICAL", "NO DATA". Named apart from the console's
// stateLabel()/stateColour() so console tests can link a core's API beside the console.
QString alertStateLabel(State state);
// A colour per state for chat templates, "#rrggbb".
QString alertStateColour(State state);

} // namespace prophasis
