#pragma once

#include <QStringList>

#include "shared/domain/alert.h"
#include "shared/domain/fielderrors.h"
#include "shared/json/jsonreader.h"

namespace prophasis {

// Reads an alert's module options ("options.<key>") and secrets ("secrets.<key>"), recording a
// FieldError for each problem, so one validation reports every problem at once. Keys the module
// does not know are errors too: a typo ("tsl") must not silently fall back to a default.
class ModuleOptionReader
{
public:
    // In knownSecrets: the module takes secrets of any name and checks the names itself.
    static constexpr QLatin1StringView AnySecretName{"*"};

    ModuleOptionReader(const Alert &alert, FieldErrors &errors, const QStringList &knownOptions,
                       const QStringList &knownSecrets);

    JsonReader &options() { return m_options; }
    FieldErrors &errors() { return m_errors; }
    void error(const QString &key, const QString &message);
    void secretError(const QString &name, const QString &message);

    QString secret(const QString &name, bool required);
    // "timeout_s": whole seconds in [1, max].
    int timeoutSeconds(int fallback, int max);
    // "ca_file": empty, or a file the core can read.
    QString caFile();

private:
    const Alert &m_alert;
    FieldErrors &m_errors;
    JsonReader m_options;
};

// A bare ASCII mail address (ops@example.com): no display name, no spaces, nothing that could end a
// header line.
bool isValidMailAddress(const QString &address);

} // namespace prophasis
